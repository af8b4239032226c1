"""token endpoint (issue 16): room on each PostgreSQL page for a token's one update

A refresh marks its token rotated (and a code exchange its code used). With full pages that
UPDATE writes the new row version to another page and adds an entry to every index of the
table (seven on tokens); with free room on the page it is a heap-only (HOT) update that
touches no index. 80 % fill leaves room for the update every row gets. PostgreSQL only
(SQLite has no fillfactor); new pages follow it, existing ones as they are rewritten.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 15:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

#: Tables whose rows are updated once after insertion on the token endpoint's hot path.
TABLES = ('tokens', 'authorization_codes')
FILLFACTOR = 80


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table in TABLES:
        op.execute(f'ALTER TABLE {table} SET (fillfactor = {FILLFACTOR})')


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table in TABLES:
        op.execute(f'ALTER TABLE {table} RESET (fillfactor)')
