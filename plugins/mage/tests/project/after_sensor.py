from pathlib import Path

if "custom" not in globals():
    from mage_ai.data_preparation.decorators import custom


@custom
def after_sensor(*args, **kwargs):
    Path(kwargs["marker"]).write_text("sensed")
