{#- dq's checks as dbt generic tests. Each returns the rows that fail, so dbt's
    `failures` is dq's failed_count (docs/rules.md):
    * value checks ignore nulls (a null neither counts nor fails), not_null counts them;
    * unique fails EVERY row holding a repeated value (three rows of 7 are three failures);
    * regex is a full match in dq's (Rust) dialect; lengths are in characters;
    * between is inclusive unless min_inclusive/max_inclusive say otherwise;
    * table-level checks (row_count, column_exists) return 0 or 1 row. -#}

{% test dq_not_null(model, column_name) %}
select {{ column_name }} as failing_value
from {{ model }}
where {{ column_name }} is null
{% endtest %}

{% test dq_unique(model, column_name) %}
with repeated as (
    select {{ column_name }} as value
    from {{ model }}
    where {{ column_name }} is not null
    group by {{ column_name }}
    having count(*) > 1
)
select {{ column_name }} as failing_value
from {{ model }}
where {{ column_name }} in (select value from repeated)
{% endtest %}

{% test dq_between(model, column_name, min=none, max=none, min_inclusive=true, max_inclusive=true) %}
select {{ column_name }} as failing_value
from {{ model }}
where {{ column_name }} is not null
  and not (
    true
    {%- if min is not none %}
    and {{ column_name }} {{ '>=' if min_inclusive else '>' }} {{ dq.dq_literal(min) }}
    {%- endif %}
    {%- if max is not none %}
    and {{ column_name }} {{ '<=' if max_inclusive else '<' }} {{ dq.dq_literal(max) }}
    {%- endif %}
  )
{% endtest %}

{% test dq_regex(model, column_name, pattern) %}
select {{ column_name }} as failing_value
from {{ model }}
where {{ column_name }} is not null
  and not {{ dq.dq_regex_full_match(column_name, pattern) }}
{% endtest %}

{% test dq_in_set(model, column_name, values) %}
select {{ column_name }} as failing_value
from {{ model }}
where {{ column_name }} is not null
  {%- if values | length == 0 %}
  and true
  {%- else %}
  and {{ column_name }} not in (
    {%- for value in values %}{{ dq.dq_literal(value) }}{{ ', ' if not loop.last }}{% endfor -%}
  )
  {%- endif %}
{% endtest %}

{% test dq_max_length(model, column_name, length) %}
select {{ column_name }} as failing_value
from {{ model }}
where {{ column_name }} is not null
  and {{ dq.dq_char_length(column_name) }} > {{ length }}
{% endtest %}

{% test dq_min_length(model, column_name, length) %}
select {{ column_name }} as failing_value
from {{ model }}
where {{ column_name }} is not null
  and {{ dq.dq_char_length(column_name) }} < {{ length }}
{% endtest %}

{#- SQL boolean expression; a null result is ignored, as SQL CHECK constraints do. -#}
{% test dq_expression(model, expression) %}
select *
from {{ model }}
where not ({{ expression }})
{% endtest %}

{% test dq_row_count(model, min=none, max=none) %}
select row_count
from (select count(*) as row_count from {{ model }}) counted
where false
  {%- if min is not none %} or row_count < {{ min }}{% endif %}
  {%- if max is not none %} or row_count > {{ max }}{% endif %}
{% endtest %}

{% test dq_column_exists(model, column_name) %}
  {%- set names = [] -%}
  {%- if execute -%}
    {%- for column in adapter.get_columns_in_relation(model) -%}
      {%- do names.append(column.name | lower) -%}
    {%- endfor -%}
  {%- endif -%}
select 1 as missing_column
where {{ 'false' if (not execute or column_name | lower in names) else 'true' }}
{% endtest %}
