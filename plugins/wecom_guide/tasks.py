"""HQ / store-manager tasks (F4.8) and the chat materials library.

A task targets members (by tag and/or level) of the guides of one store (a store manager's
task, or an HQ task for one store) or of every store (an HQ task). Creating it assigns it
to every active guide in scope, counting each guide's target members; a guide forwards it
to their target members (one row per member, once) and marks it done. Progress per task and
per guide: assignments done / all (completion rate) and members forwarded / targeted.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_appbuilder.security.sqla.models import Role, User
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, exists, func, insert, literal, select, update

from app.errors import DomainError
from app.extensions import db
from app.members.models import Member, member_tag_link
from app.platform.audit import audit
from app.platform.staff import Staff
from app.roles import GUIDE
from app.unit_of_work import unit_of_work
from plugins.wecom_guide.models import GuideMember, Material, MaterialGroup, Task, TaskAssignment, TaskForward


def guides_in(store_id: int | None):
    """Active guides (Guide role) of ``store_id``, or of every store when None."""
    query = select(Staff).where(
        Staff.status == "active",
        Staff.store_id.is_not(None),
        Staff.user.has(User.roles.any(Role.name == GUIDE)),
    )
    if store_id is not None:
        query = query.where(Staff.store_id == store_id)
    return db.session.scalars(query.order_by(Staff.id)).all()


def target_members(task: Task, staff_id: int):
    """A select of the member ids of ``staff_id`` the task targets."""
    query = select(GuideMember.member_id).where(GuideMember.staff_id == staff_id)
    if task.target_level_id is not None:
        query = query.where(
            exists().where(Member.id == GuideMember.member_id, Member.level_id == task.target_level_id)
        )
    if task.target_tag_id is not None:
        query = query.where(
            exists().where(
                member_tag_link.c.member_id == GuideMember.member_id,
                member_tag_link.c.tag_id == task.target_tag_id,
            )
        )
    return query


def assign(task: Task) -> int:
    """Assign ``task`` to every active guide in its scope (no commit); how many guides."""
    guides = guides_in(task.store_id)
    if not guides:
        raise DomainError("TASK_NO_GUIDES", _l("No active guide works in the task's store."), field="store")
    for staff in guides:
        count = db.session.scalar(select(func.count()).select_from(target_members(task, staff.id).subquery()))
        db.session.add(
            TaskAssignment(task_id=task.id, staff_id=staff.id, store_id=staff.store_id, target_count=count)
        )
    db.session.flush()
    return len(guides)


def create_task(
    title: str,
    content: str,
    *,
    store_id: int | None,
    material_id: int | None = None,
    target_tag_id: int | None = None,
    target_level_id: int | None = None,
    deadline: date | None = None,
    user=None,
) -> Task:
    with unit_of_work():
        task = Task(
            title=title,
            content=content,
            store_id=store_id,
            material_id=material_id,
            target_tag_id=target_tag_id,
            target_level_id=target_level_id,
            deadline=deadline,
        )
        db.session.add(task)
        db.session.flush()
        guides = assign(task)
        audit("wecom_guide.task", "task", task.id, user=user, guides=guides)
    return task


def assign_task(task_id: int) -> int:
    """Assign a task saved by the admin form (its guides are counted now); commits."""
    with unit_of_work():
        task = db.session.get(Task, task_id)
        if task is None or db.session.scalar(
            select(TaskAssignment.id).where(TaskAssignment.task_id == task_id)
        ):
            return 0
        guides = assign(task)
        audit("wecom_guide.task", "task", task.id, guides=guides)
    return guides


def close_task(task_id: int) -> None:
    with unit_of_work():
        db.session.execute(update(Task).where(Task.id == task_id).values(status="closed"))
        audit("wecom_guide.task_close", "task", task_id)


def my_assignments(staff: Staff) -> list[dict]:
    from app.formatting import code_label

    rows = db.session.execute(
        select(TaskAssignment, Task)
        .join(Task, Task.id == TaskAssignment.task_id)
        .where(TaskAssignment.staff_id == staff.id, Task.status == "open")
        .order_by(Task.deadline.is_(None), Task.deadline, Task.id.desc())
    ).all()
    return [
        {
            "task_id": task.id,
            "title": task.title,
            "content": task.content,
            "material": (
                {
                    "id": task.material.id,
                    "title": task.material.title,
                    "body": task.material.body,
                    "url": task.material.url,
                }
                if task.material
                else None
            ),
            "deadline": task.deadline.isoformat() if task.deadline else None,
            "target_count": assignment.target_count,
            "forwarded_count": assignment.forwarded_count,
            "status": assignment.status,
            "status_label": code_label(assignment.status, "wecom_guide_assignment_status"),
        }
        for assignment, task in rows
    ]


def _assignment(task_id: int, staff: Staff) -> TaskAssignment:
    assignment = db.session.scalar(
        select(TaskAssignment).where(TaskAssignment.task_id == task_id, TaskAssignment.staff_id == staff.id)
    )
    if assignment is None:
        raise DomainError("NOT_FOUND", _l("Not found."))
    if assignment.task.status != "open":
        raise DomainError("TASK_CLOSED", _l("The task is closed."))
    return assignment


def forward_task(task_id: int, staff: Staff) -> int:
    """Forward the task to every target member of the guide not reached yet (set-based, once
    per member); returns how many members have it now."""
    with unit_of_work():
        assignment = _assignment(task_id, staff)
        task = assignment.task
        targets = target_members(task, staff.id).subquery()
        db.session.execute(
            insert(TaskForward).from_select(
                ["task_id", "staff_id", "member_id", "created_on"],
                select(
                    literal(task.id), literal(staff.id), targets.c.member_id, literal(datetime.now())
                ).where(
                    ~exists().where(
                        TaskForward.task_id == task.id, TaskForward.member_id == targets.c.member_id
                    )
                ),
            )
        )
        forwarded = db.session.scalar(
            select(func.count())
            .select_from(TaskForward)
            .where(TaskForward.task_id == task.id, TaskForward.staff_id == staff.id)
        )
        assignment.forwarded_count = forwarded
        if task.material_id is not None:
            db.session.execute(
                update(Material)
                .where(Material.id == task.material_id)
                .values(forward_count=Material.forward_count + 1)
            )
    return forwarded


def mark_done(task_id: int, staff: Staff) -> None:
    with unit_of_work():
        assignment = _assignment(task_id, staff)
        db.session.execute(
            update(TaskAssignment)
            .where(TaskAssignment.id == assignment.id, TaskAssignment.status == "pending")
            .values(status="done", done_on=datetime.now())
        )
        audit("wecom_guide.task_done", "task", task_id, staff_id=staff.id)


def progress(task_id: int) -> dict:
    """Counts of a task: guides, guides done, completion rate, members targeted and forwarded."""
    guides, done, targeted, forwarded = db.session.execute(
        select(
            func.count(TaskAssignment.id),
            func.coalesce(func.sum(case((TaskAssignment.status == "done", 1), else_=0)), 0),
            func.coalesce(func.sum(TaskAssignment.target_count), 0),
            func.coalesce(func.sum(TaskAssignment.forwarded_count), 0),
        ).where(TaskAssignment.task_id == task_id)
    ).one()
    return {
        "guides": guides,
        "done": int(done),
        "completion_rate": round(done / guides, 4) if guides else 0.0,
        "targeted": int(targeted),
        "forwarded": int(forwarded),
    }


# ---------------------------------------------------------------- materials


def material_library() -> list[dict]:
    groups = db.session.scalars(select(MaterialGroup).order_by(MaterialGroup.sort, MaterialGroup.id)).all()
    items = db.session.scalars(select(Material).where(Material.active.is_(True)).order_by(Material.id)).all()
    by_group: dict[int, list] = {}
    for item in items:
        by_group.setdefault(item.group_id, []).append(
            {"id": item.id, "kind": item.kind, "title": item.title, "body": item.body, "url": item.url}
        )
    return [{"id": g.id, "name": g.name, "items": by_group.get(g.id, [])} for g in groups if g.id in by_group]


def forward_material(material_id: int) -> int:
    with unit_of_work():
        changed = db.session.execute(
            update(Material)
            .where(Material.id == material_id, Material.active.is_(True))
            .values(forward_count=Material.forward_count + 1)
        ).rowcount
        if changed != 1:
            raise DomainError("NOT_FOUND", _l("Not found."))
    return db.session.scalar(select(Material.forward_count).where(Material.id == material_id))
