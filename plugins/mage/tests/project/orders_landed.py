from dq_mage import dq_sensor

if "sensor" not in globals():
    from mage_ai.data_preparation.decorators import sensor


@sensor
def orders_landed(*args, **kwargs) -> bool:
    return dq_sensor(kwargs["suite_file"], kwargs)
