import pandas as pd

if "data_loader" not in globals():
    from mage_ai.data_preparation.decorators import data_loader


@data_loader
def load_orders(*args, **kwargs):
    return pd.read_csv(kwargs["orders_csv"])
