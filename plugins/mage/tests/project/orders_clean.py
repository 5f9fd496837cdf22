from dq_mage import dq_condition

if "condition" not in globals():
    from mage_ai.data_preparation.decorators import condition


@condition
def orders_clean(df, *args, **kwargs) -> bool:
    return dq_condition(df, kwargs["condition_suite"], kwargs)
