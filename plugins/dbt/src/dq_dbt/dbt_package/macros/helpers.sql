{#- Helpers shared by dq's generic tests. -#}

{#- A SQL string literal: quotes doubled; backslashes are literal in both DuckDB and
    Postgres (standard_conforming_strings is on by default). -#}
{% macro dq_literal(value) -%}
  {%- if value is string -%}
    '{{ value | replace("'", "''") }}'
  {%- elif value is sameas true -%}
    true
  {%- elif value is sameas false -%}
    false
  {%- elif value is none -%}
    null
  {%- else -%}
    {{ value }}
  {%- endif -%}
{%- endmacro %}

{#- dq's regex dialect is Rust's (polars): \w, \d and \s are Unicode-aware. RE2 (DuckDB)
    reads them as ASCII, so they are spelled out with Unicode properties here; \W, \D, \S
    outside a class become negated classes. Inside a class a negated shorthand cannot be
    spelled out and is left as is (ASCII): docs/orchestrators/dbt.md lists it. -#}
{% macro dq_unicode_classes(pattern) -%}
  {%- set word = '\\p{L}\\p{M}\\p{Nd}\\p{Pc}' -%}
  {%- set classes = {'w': word, 'd': '\\p{Nd}', 's': '\\s\\p{Z}\\x{85}'} -%}
  {%- set ns = namespace(out='', esc=false, in_class=false) -%}
  {%- for ch in pattern -%}
    {%- if ns.esc -%}
      {%- if ch in classes -%}
        {%- set ns.out = ns.out ~ (classes[ch] if ns.in_class else '[' ~ classes[ch] ~ ']') -%}
      {%- elif ch | lower in classes and not ns.in_class -%}
        {%- set ns.out = ns.out ~ '[^' ~ classes[ch | lower] ~ ']' -%}
      {%- else -%}
        {%- set ns.out = ns.out ~ '\\' ~ ch -%}
      {%- endif -%}
      {%- set ns.esc = false -%}
    {%- elif ch == '\\' -%}
      {%- set ns.esc = true -%}
    {%- else -%}
      {%- if ch == '[' -%}{%- set ns.in_class = true -%}{%- elif ch == ']' -%}{%- set ns.in_class = false -%}{%- endif -%}
      {%- set ns.out = ns.out ~ ch -%}
    {%- endif -%}
  {%- endfor -%}
  {{- ns.out ~ ('\\' if ns.esc else '') -}}
{%- endmacro %}

{#- `value` fully matches dq's `pattern` (as if wrapped in ^(?:...)$). -#}
{% macro dq_regex_full_match(value, pattern) -%}
  {{ return(adapter.dispatch('dq_regex_full_match', 'dq')(value, pattern)) }}
{%- endmacro %}

{% macro duckdb__dq_regex_full_match(value, pattern) -%}
  regexp_full_match({{ value }}, {{ dq.dq_literal(dq.dq_unicode_classes(pattern)) }})
{%- endmacro %}

{#- Postgres AREs: \w \d \s follow the database's LC_CTYPE (Unicode under a UTF-8 locale). -#}
{% macro postgres__dq_regex_full_match(value, pattern) -%}
  ({{ value }} ~ {{ dq.dq_literal('^(?:' ~ pattern ~ ')$') }})
{%- endmacro %}

{% macro default__dq_regex_full_match(value, pattern) -%}
  {{ exceptions.raise_compiler_error("dq.regex: no full-match regex for adapter '" ~ adapter.type() ~ "' (dq supports duckdb and postgres)") }}
{%- endmacro %}

{#- Length in characters (code points), not bytes: length() in DuckDB and Postgres. -#}
{% macro dq_char_length(value) -%}
  {{ return(adapter.dispatch('dq_char_length', 'dq')(value)) }}
{%- endmacro %}

{% macro default__dq_char_length(value) -%}
  length({{ value }})
{%- endmacro %}
