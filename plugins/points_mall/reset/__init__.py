"""Points reset (积分清零, F1.7) of the points_mall plugin: services, job, admin pages."""
