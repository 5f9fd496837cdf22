"""Regenerate orders.csv: 500 plausible web-shop orders with a handful of real defects.

Deterministic (fixed seed), so the committed file and the README's expected output agree.
Defects planted: two duplicated order ids, three missing amounts, two negative amounts,
one absurd amount, four malformed e-mail addresses, three misspelt statuses, one e-mail
longer than RFC 5321 allows.
"""

from __future__ import annotations

import csv
import random
from datetime import datetime, timedelta
from pathlib import Path

STATUSES = ["pending", "paid", "shipped", "delivered", "refunded"]
NAMES = ["ana", "bo", "chen", "dara", "eli", "femi", "gus", "hana", "ivo", "jules", "kai", "lea"]
DOMAINS = ["example.com", "mail.example.org", "shop.example.net", "exämple.de"]


def main() -> None:
    rng = random.Random(20261125)
    start = datetime(2026, 10, 1, 8, 0)
    rows = []
    for i in range(500):
        rows.append({
            "order_id": 100000 + i,
            "customer_email": f"{rng.choice(NAMES)}.{rng.randint(1, 999)}@{rng.choice(DOMAINS)}",
            "amount": f"{rng.uniform(5, 900):.2f}",
            "status": rng.choices(STATUSES, weights=[10, 30, 30, 25, 5])[0],
            "country": rng.choice(["DE", "FR", "NL", "PL", "SE", "ES"]),
            "created_at": (start + timedelta(minutes=97 * i)).isoformat(timespec="seconds"),
        })
    rows[57]["order_id"] = rows[56]["order_id"]          # duplicated ids
    rows[311]["order_id"] = rows[12]["order_id"]
    for i in (40, 222, 419):
        rows[i]["amount"] = ""                           # missing amounts
    rows[90]["amount"] = "-15.00"                        # negative amounts (refund booked wrong)
    rows[333]["amount"] = "-0.01"
    rows[128]["amount"] = "1250000.00"                   # absurd amount
    rows[66]["customer_email"] = "dara.12example.com"    # malformed e-mails
    rows[150]["customer_email"] = "eli.7@"
    rows[201]["customer_email"] = " kai.3@example.com"
    rows[402]["customer_email"] = "lea@@example.com"
    rows[250]["customer_email"] = "x" * 250 + "@example.com"  # longer than 254 characters
    rows[77]["status"] = "shiped"                        # misspelt statuses
    rows[178]["status"] = "Paid"
    rows[488]["status"] = "cancelled?"
    out = Path(__file__).with_name("orders.csv")
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
