"""Catalog: category tree, brands, products (货号) and their SKUs."""

from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.platform.audit import Audited


class Category(Audited, Model):
    __tablename__ = "catalog_category"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(50), nullable=False)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_category.id"), index=True)
    parent: Mapped[Category | None] = relationship("Category", remote_side=[id])

    def __repr__(self) -> str:
        return self.name


class Brand(Audited, Model):
    __tablename__ = "catalog_brand"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True, nullable=False)

    def __repr__(self) -> str:
        return self.name


class Product(Audited, Model):
    __tablename__ = "catalog_product"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)  # 货号
    name: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_category.id"), index=True)
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_brand.id"), index=True)
    year: Mapped[int | None] = mapped_column(Integer)
    is_virtual: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    category: Mapped[Category | None] = relationship(Category)
    brand: Mapped[Brand | None] = relationship(Brand)
    skus: Mapped[list[Sku]] = relationship("Sku", back_populates="product")

    def __repr__(self) -> str:
        return f"{self.code} {self.name}"


class Sku(Audited, Model):
    __tablename__ = "catalog_sku"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("catalog_product.id"), nullable=False, index=True)
    sku_code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    barcode: Mapped[str | None] = mapped_column(String(32), unique=True)
    spec: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    price_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    product: Mapped[Product] = relationship(Product, back_populates="skus")

    def __repr__(self) -> str:
        return f"{self.sku_code} {self.spec}".strip()
