from dq_mage import dq_check, dq_transform

if "transformer" not in globals():
    from mage_ai.data_preparation.decorators import transformer
if "test" not in globals():
    from mage_ai.data_preparation.decorators import test


@transformer
def check_orders(df, *args, **kwargs):
    return dq_transform(df, kwargs["suite_file"], kwargs, fail_on=kwargs.get("fail_on", "error"))


@test
def test_orders(output, *args, **kwargs):
    dq_check(output, kwargs["suite_file"], kwargs, fail_on=kwargs.get("fail_on", "error"))
