"""service hardening: outbox delivery attempts, ride idempotency keys

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 01:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('rides', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('request_digest', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_rides_user_id_idempotency_key', ['user_id', 'idempotency_key'])


def downgrade():
    with op.batch_alter_table('rides', schema=None) as batch_op:
        batch_op.drop_constraint('uq_rides_user_id_idempotency_key', type_='unique')
        batch_op.drop_column('request_digest')
        batch_op.drop_column('idempotency_key')
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('attempts')
