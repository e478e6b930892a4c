"""vacancies, job ads, approvals, guidelines, slots, renditions

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 22:34:08.159514
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Columns added to existing tables carry a server default, so rows of an existing install fill in.
    op.create_table('company_setting',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_company_setting'))
    )
    op.create_table('guideline',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('job_ad', 'product_news', 'event_photos', name='postkind', native_enum=False, length=32), nullable=True),
    sa.Column('banned_words', sa.Text(), nullable=False),
    sa.Column('required_hashtags', sa.Text(), nullable=False),
    sa.Column('max_hashtags', sa.Integer(), nullable=True),
    sa.Column('legal_footer', sa.Text(), nullable=False),
    sa.Column('require_imprint_link', sa.Boolean(), nullable=False),
    sa.Column('requires_approval', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guideline')),
    sa.UniqueConstraint('kind', name='uq_guideline_kind')
    )
    op.create_table('job_ad_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('network', sa.Enum('x', 'linkedin', 'facebook', 'instagram', 'xing', name='network', native_enum=False, length=32), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_ad_template')),
    sa.UniqueConstraint('language', 'network', name='uq_job_ad_template_language_network')
    )
    op.create_table('vacancy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('employment_type', sa.Enum('FULL_TIME', 'PART_TIME', 'CONTRACTOR', 'TEMPORARY', 'INTERN', 'APPRENTICESHIP', 'OTHER', name='employmenttype', native_enum=False, length=32), nullable=False),
    sa.Column('salary_statement', sa.Text(), nullable=False),
    sa.Column('salary_min', sa.Integer(), nullable=True),
    sa.Column('salary_period', sa.String(length=8), nullable=False),
    sa.Column('overpay', sa.Boolean(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('apply_url', sa.String(length=2048), nullable=True),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('valid_through', sa.DateTime(), nullable=True),
    sa.Column('hiring_manager_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('open', 'filled', 'closed', name='vacancystatus', native_enum=False, length=32), nullable=False),
    sa.Column('repost_every_days', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_vacancy_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['hiring_manager_id'], ['user_account.id'], name=op.f('fk_vacancy_hiring_manager_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vacancy'))
    )
    with op.batch_alter_table('vacancy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vacancy_status'), ['status'], unique=False)

    op.create_table('posting_slot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('local_time', sa.String(length=5), nullable=False),
    sa.ForeignKeyConstraint(['channel_id'], ['channel.id'], name=op.f('fk_posting_slot_channel_id_channel')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_posting_slot')),
    sa.UniqueConstraint('channel_id', 'weekday', 'local_time', name='uq_posting_slot_channel_time')
    )
    with op.batch_alter_table('posting_slot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_posting_slot_channel_id'), ['channel_id'], unique=False)

    op.create_table('post_text',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('network', sa.Enum('x', 'linkedin', 'facebook', 'instagram', 'xing', name='network', native_enum=False, length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], name=op.f('fk_post_text_post_id_post')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_post_text')),
    sa.UniqueConstraint('post_id', 'network', name='uq_post_text_post_network')
    )
    op.create_table('media_rendition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('media_id', sa.Integer(), nullable=False),
    sa.Column('network', sa.Enum('x', 'linkedin', 'facebook', 'instagram', 'xing', name='network', native_enum=False, length=32), nullable=False),
    sa.Column('mime_type', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['media_id'], ['media.id'], name=op.f('fk_media_rendition_media_id_media')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_media_rendition')),
    sa.UniqueConstraint('media_id', 'network', name='uq_media_rendition_media_network')
    )
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.add_column(sa.Column('caption', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('consent', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vacancy_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('repost_number', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('approval', sa.Enum('not_required', 'draft', 'pending', 'approved', 'changes_requested', name='approvalstate', native_enum=False, length=32), nullable=False, server_default='not_required'))
        batch_op.add_column(sa.Column('reviewer_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('review_comment', sa.Text(), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_post_vacancy_id'), ['vacancy_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_post_vacancy_id_vacancy'), 'vacancy', ['vacancy_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_post_reviewer_id_user_account'), 'user_account', ['reviewer_id'], ['id'])

    # ### end Alembic commands ###


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_post_reviewer_id_user_account'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_post_vacancy_id_vacancy'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_post_vacancy_id'))
        batch_op.drop_column('review_comment')
        batch_op.drop_column('reviewed_at')
        batch_op.drop_column('reviewer_id')
        batch_op.drop_column('approval')
        batch_op.drop_column('repost_number')
        batch_op.drop_column('vacancy_id')

    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.drop_column('consent')
        batch_op.drop_column('caption')

    op.drop_table('media_rendition')
    op.drop_table('post_text')
    with op.batch_alter_table('posting_slot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_posting_slot_channel_id'))

    op.drop_table('posting_slot')
    with op.batch_alter_table('vacancy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vacancy_status'))

    op.drop_table('vacancy')
    op.drop_table('job_ad_template')
    op.drop_table('guideline')
    op.drop_table('company_setting')
    # ### end Alembic commands ###
