-- The HR warehouse contract on ClickHouse (and chDB, its in-process engine).
--
-- The same tables and columns as ../contract/schema.sql, in ClickHouse types:
-- INTEGER is Int32, VARCHAR is String, money is Decimal(18, 2), other
-- decimals keep their precision, DATE is Date, TIMESTAMP is DateTime64(6)
-- (no time zone: the values are the warehouse's wall-clock times, as in
-- DuckDB and PostgreSQL). A column the contract allows to be NULL is Nullable;
-- every other column is not. ClickHouse has no foreign keys or UNIQUE
-- constraints: the loaders copy data that already satisfies them. Every table
-- is a MergeTree ordered by the columns its queries filter on first (the month
-- or day for facts, the id for dimensions), which also makes the primary key
-- of the contract the table's sort key.

CREATE TABLE departments (
    department_id Int32,
    name          String,
    name_en       Nullable(String),
    parent_id     Nullable(Int32),
    kind          String,
    city          Nullable(String)
) ENGINE = MergeTree ORDER BY department_id;

CREATE TABLE employees (
    employee_id      Int32,
    employee_no      String,
    name             String,
    name_en          Nullable(String),
    gender           Nullable(String),
    department_id    Int32,
    manager_id       Nullable(Int32),
    title            String,
    level            String,
    hire_date        Date,
    termination_date Nullable(Date),
    status           String,
    wecom_userid     Nullable(String),
    phone            Nullable(String),
    email            Nullable(String)
) ENGINE = MergeTree ORDER BY employee_id;

CREATE TABLE customers (
    customer_id       Int32,
    name              String,
    city              Nullable(String),
    source_channel    String,
    created_date      Date,
    owner_employee_id Nullable(Int32)
) ENGINE = MergeTree ORDER BY customer_id;

CREATE TABLE sales_orders (
    order_id     Int32,
    employee_id  Int32,
    customer_id  Int32,
    order_date   Date,
    amount       Decimal(18, 2),
    product_line String,
    channel      String,
    status       String
) ENGINE = MergeTree PARTITION BY toYYYYMM(order_date) ORDER BY (order_date, employee_id, order_id);

CREATE TABLE sales_targets (
    employee_id Int32,
    month       Date,
    min_target  Decimal(18, 2)
) ENGINE = MergeTree ORDER BY (month, employee_id);

CREATE TABLE marketing_spend (
    department_id Int32,
    month         Date,
    channel       String,
    amount        Decimal(18, 2),
    leads         Int32
) ENGINE = MergeTree ORDER BY (month, department_id, channel);

CREATE TABLE customer_interactions (
    interaction_id   Int32,
    employee_id      Int32,
    customer_id      Int32,
    occurred_at      DateTime64(6),
    kind             String,
    message_count    Int32,
    duration_minutes Decimal(8, 1)
) ENGINE = MergeTree ORDER BY (occurred_at, employee_id, interaction_id);

CREATE TABLE payroll (
    employee_id Int32,
    month       Date,
    base_salary Decimal(18, 2),
    commission  Decimal(18, 2),
    bonus       Decimal(18, 2),
    deductions  Decimal(18, 2),
    net_pay     Decimal(18, 2)
) ENGINE = MergeTree ORDER BY (month, employee_id);

CREATE TABLE attendance (
    employee_id Int32,
    work_date   Date,
    status      String,
    check_in    Nullable(DateTime64(6)),
    check_out   Nullable(DateTime64(6))
) ENGINE = MergeTree ORDER BY (work_date, employee_id);

CREATE TABLE leave_requests (
    leave_id    Int32,
    employee_id Int32,
    leave_type  String,
    start_date  Date,
    end_date    Date,
    days        Decimal(4, 1),
    status      String,
    approver_id Nullable(Int32)
) ENGINE = MergeTree ORDER BY (start_date, leave_id);

CREATE TABLE performance_reviews (
    employee_id Int32,
    period      String,
    rating      String,
    score       Decimal(5, 2),
    reviewer_id Nullable(Int32)
) ENGINE = MergeTree ORDER BY (period, employee_id);
