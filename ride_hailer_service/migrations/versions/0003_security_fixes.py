"""security fixes (issue 11): granted scope of a token family, server-side sign-ins,
client display names

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('granted_scope', sa.Text(), nullable=True))
    # the consented scope of an existing family is the scope of its first token (the code exchange)
    op.execute(
        "UPDATE tokens SET granted_scope = COALESCE("
        "(SELECT head.scope FROM tokens AS head WHERE head.id = tokens.family_id), tokens.scope)"
    )
    # the pages now say "Linking allows the <name> skill to": the old default loses "skill"
    op.execute("UPDATE clients SET name = 'Ride Hailer' WHERE name = 'Ride Hailer skill'")
    op.create_table(
        'sign_ins',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('secret_digest', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('request_digest', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sign_ins_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_ins')),
        sa.UniqueConstraint('secret_digest', name=op.f('uq_sign_ins_secret_digest')),
    )
    with op.batch_alter_table('sign_ins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_ins_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('sign_ins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_ins_user_id'))
    op.drop_table('sign_ins')
    with op.batch_alter_table('tokens', schema=None) as batch_op:
        batch_op.drop_column('granted_scope')
