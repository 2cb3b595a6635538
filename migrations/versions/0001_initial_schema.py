"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 02:33:36.763511
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('line_fingerprints',
    sa.Column('fingerprint', sa.String(length=32), nullable=False, comment='normalized line fingerprint'),
    sa.Column('article_count', sa.Integer(), nullable=False, comment='live articles containing the line'),
    sa.Column('sample', sa.Text(), nullable=False, comment='one example of the line as written'),
    sa.Column('frequent', sa.Boolean(), nullable=False, comment='the line counted as recurring boilerplate when articles were last cleaned'),
    sa.PrimaryKeyConstraint('fingerprint', name=op.f('pk_line_fingerprints')),
    comment='Corpus memory: in how many live articles each normalized line occurs.'
    )
    op.create_table('people_curation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False, comment='merge, split, rename or alias'),
    sa.Column('payload', sa.Text(), nullable=False, comment="the decision's arguments as JSON"),
    sa.Column('created_at', sa.Text(), nullable=False, comment='UTC time of the decision'),
    sa.Column('note', sa.Text(), nullable=True, comment='free-text reason given by the analyst'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people_curation')),
    comment="Analysts' decisions about people (merge, split, rename, alias), re-applied by every run."
    )
    op.create_table('runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.Text(), nullable=False, comment='UTC start time, ISO 8601'),
    sa.Column('finished_at', sa.Text(), nullable=True, comment='UTC end time, ISO 8601; NULL while running'),
    sa.Column('status', sa.String(length=16), nullable=False, comment='running, succeeded, partial (some files failed) or failed'),
    sa.Column('input_dir', sa.Text(), nullable=True, comment='absolute input folder (NULL for --reprocess only)'),
    sa.Column('etl_version', sa.String(length=32), nullable=False, comment='version of the etl package'),
    sa.Column('rules_version', sa.String(length=64), nullable=False, comment='version of the cleaning and people rules'),
    sa.Column('pid', sa.Integer(), nullable=True, comment='process id of the run'),
    sa.Column('files_seen', sa.Integer(), nullable=False, comment='input files found'),
    sa.Column('files_new', sa.Integer(), nullable=False, comment='files loaded for the first time'),
    sa.Column('files_changed', sa.Integer(), nullable=False, comment='files whose content changed and were reloaded'),
    sa.Column('files_unchanged', sa.Integer(), nullable=False, comment='files skipped as unchanged'),
    sa.Column('files_failed', sa.Integer(), nullable=False, comment='files that could not be loaded (see failures)'),
    sa.Column('files_deleted', sa.Integer(), nullable=False, comment='articles marked deleted because their file disappeared'),
    sa.Column('articles_recleaned', sa.Integer(), nullable=False, comment='articles re-cleaned from raw_text (new rules, --reprocess or corpus memory)'),
    sa.Column('articles', sa.Integer(), nullable=False, comment='live articles in the database after the run'),
    sa.Column('paragraphs', sa.Integer(), nullable=False, comment='paragraphs of live articles after the run'),
    sa.Column('people', sa.Integer(), nullable=False, comment='people after the run'),
    sa.Column('mentions', sa.Integer(), nullable=False, comment='mentions after the run'),
    sa.Column('seconds', sa.Double(), nullable=True, comment='wall-clock duration'),
    sa.Column('message', sa.Text(), nullable=True, comment='why a run failed, when it did'),
    sa.CheckConstraint("status IN ('running', 'succeeded', 'partial', 'failed')", name=op.f('ck_runs_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_runs')),
    comment='One row per `etl run`: when, what it saw, what it loaded and how it ended.'
    )
    op.create_table('articles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_path', sa.Text(), nullable=False, comment="path relative to the input folder, '/'-separated"),
    sa.Column('title', sa.Text(), nullable=True, comment='headline; NULL when the file has none'),
    sa.Column('published_at', sa.Text(), nullable=True, comment='publication time, ISO 8601: UTC with +00:00 when the zone is known, date only when no time'),
    sa.Column('dateline', sa.Text(), nullable=True, comment='the raw dateline published_at was parsed from'),
    sa.Column('outlet', sa.Text(), nullable=True, comment='the outlet or agency, where the text shows it'),
    sa.Column('authors', sa.Text(), nullable=True, comment="author names, '; '-separated (details in article_credits)"),
    sa.Column('word_count', sa.Integer(), nullable=False, comment='words in body and heading paragraphs'),
    sa.Column('paragraph_count', sa.Integer(), nullable=False, comment='body and heading paragraphs'),
    sa.Column('sha256', sa.String(length=64), nullable=False, comment='sha256 of the raw file bytes'),
    sa.Column('size_bytes', sa.Integer(), nullable=False, comment='file size in bytes when loaded'),
    sa.Column('mtime_ns', sa.Integer(), nullable=False, comment='file modification time (ns) when loaded; for the cheap unchanged check'),
    sa.Column('encoding', sa.String(length=32), nullable=False, comment='codec that decoded the file, e.g. utf-8, utf-16, cp1252'),
    sa.Column('raw_text', sa.Text(), nullable=False, comment='the decoded original text, so the article can be re-cleaned without its file'),
    sa.Column('rules_version', sa.String(length=64), nullable=False, comment='version of the rules that produced the cleaned rows'),
    sa.Column('first_run_id', sa.Integer(), nullable=True, comment='run that first loaded the file'),
    sa.Column('run_id', sa.Integer(), nullable=True, comment='run that last (re)loaded or re-cleaned it'),
    sa.Column('deleted_at', sa.Text(), nullable=True, comment='UTC time the file was found missing; NULL for live articles'),
    sa.Column('deleted_run_id', sa.Integer(), nullable=True, comment='run that noticed the file was gone'),
    sa.ForeignKeyConstraint(['deleted_run_id'], ['runs.id'], name=op.f('fk_articles_deleted_run_id_runs')),
    sa.ForeignKeyConstraint(['first_run_id'], ['runs.id'], name=op.f('fk_articles_first_run_id_runs')),
    sa.ForeignKeyConstraint(['run_id'], ['runs.id'], name=op.f('fk_articles_run_id_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_articles')),
    sa.UniqueConstraint('source_path', name=op.f('uq_articles_source_path')),
    comment='One row per input file: its metadata, original text and provenance.'
    )
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.create_index('ix_articles_deleted_at', ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_articles_deleted_run_id'), ['deleted_run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_articles_first_run_id'), ['first_run_id'], unique=False)
        batch_op.create_index('ix_articles_outlet', ['outlet'], unique=False)
        batch_op.create_index('ix_articles_published_at', ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_articles_run_id'), ['run_id'], unique=False)

    op.create_table('failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False, comment='the run'),
    sa.Column('source_path', sa.Text(), nullable=False, comment='path relative to the input folder'),
    sa.Column('stage', sa.String(length=16), nullable=False, comment='walk, read, decode, transform or load'),
    sa.Column('error', sa.Text(), nullable=False, comment='the reason, in words'),
    sa.ForeignKeyConstraint(['run_id'], ['runs.id'], name=op.f('fk_failures_run_id_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_failures')),
    comment='Files a run could not load: which, at what stage and why.'
    )
    with op.batch_alter_table('failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_failures_run_id'), ['run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_failures_source_path'), ['source_path'], unique=False)

    op.create_table('people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False, comment='canonical display name: the most complete common form'),
    sa.Column('given_name', sa.Text(), nullable=True, comment='given name(s), when known'),
    sa.Column('family_name', sa.Text(), nullable=True, comment='family name, when known'),
    sa.Column('name_key', sa.Text(), nullable=False, comment='normalized lookup key (transliteration-folded family name, or given name for single-name people)'),
    sa.Column('mention_count', sa.Integer(), nullable=False, comment='mentions in live articles'),
    sa.Column('article_count', sa.Integer(), nullable=False, comment='live articles mentioning the person'),
    sa.Column('curated', sa.Boolean(), nullable=False, comment="an analyst's decision touches this person; never removed automatically"),
    sa.Column('first_run_id', sa.Integer(), nullable=True, comment='run that created the person'),
    sa.ForeignKeyConstraint(['first_run_id'], ['runs.id'], name=op.f('fk_people_first_run_id_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people')),
    comment='One row per real person, across all articles.'
    )
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_people_first_run_id'), ['first_run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_people_name_key'), ['name_key'], unique=False)

    op.create_table('article_credits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False, comment='the article'),
    sa.Column('name', sa.Text(), nullable=False, comment='person or agency name as credited'),
    sa.Column('role', sa.String(length=16), nullable=False, comment='author, agency, reporter, editor or photographer'),
    sa.Column('line', sa.Integer(), nullable=False, comment='0-based raw line of the credit'),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_article_credits_article_id_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_article_credits')),
    comment='Authors, agencies, editors and photographers credited by bylines and credit lines.'
    )
    with op.batch_alter_table('article_credits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_credits_article_id'), ['article_id'], unique=False)
        batch_op.create_index('ix_article_credits_name', ['name'], unique=False)

    op.create_table('article_fingerprints',
    sa.Column('article_id', sa.Integer(), nullable=False, comment='the article'),
    sa.Column('fingerprint', sa.String(length=32), nullable=False, comment='normalized line fingerprint'),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_article_fingerprints_article_id_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('article_id', 'fingerprint', name=op.f('pk_article_fingerprints')),
    comment='Which normalized lines each article contains (for corpus memory and re-cleaning).'
    )
    with op.batch_alter_table('article_fingerprints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_fingerprints_fingerprint'), ['fingerprint'], unique=False)

    op.create_table('paragraphs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False, comment='the article'),
    sa.Column('position', sa.Integer(), nullable=False, comment='0-based order within the article'),
    sa.Column('kind', sa.String(length=16), nullable=False, comment='body, heading (subheading) or caption (photo caption)'),
    sa.Column('text', sa.Text(), nullable=False, comment='the cleaned paragraph text'),
    sa.Column('line_start', sa.Integer(), nullable=False, comment='0-based first line in the repaired raw text'),
    sa.Column('line_end', sa.Integer(), nullable=False, comment='0-based last line (hard-wrapped lines are joined)'),
    sa.CheckConstraint("kind IN ('body', 'heading', 'caption')", name=op.f('ck_paragraphs_kind')),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_paragraphs_article_id_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paragraphs')),
    sa.UniqueConstraint('article_id', 'position', name='uq_paragraphs_article_position'),
    comment='Kept text of each article in order: body, heading (subheading) and caption paragraphs.'
    )
    with op.batch_alter_table('paragraphs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paragraphs_article_id'), ['article_id'], unique=False)

    op.create_table('person_aliases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False, comment='the person'),
    sa.Column('alias', sa.Text(), nullable=False, comment="a surface form, e.g. 'Zaluzhny'"),
    sa.Column('count', sa.Integer(), nullable=False, comment='mentions written this way (0 for analyst-added aliases not yet seen)'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_person_aliases_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_aliases')),
    sa.UniqueConstraint('person_id', 'alias', name='uq_person_aliases_person_alias'),
    comment='Every surface form a person was written as, with how often.'
    )
    with op.batch_alter_table('person_aliases', schema=None) as batch_op:
        batch_op.create_index('ix_person_aliases_alias', ['alias'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_aliases_person_id'), ['person_id'], unique=False)

    op.create_table('removed_segments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False, comment='the article'),
    sa.Column('line_start', sa.Integer(), nullable=False, comment='0-based line number in the repaired raw text'),
    sa.Column('line_end', sa.Integer(), nullable=False, comment='0-based last line'),
    sa.Column('label', sa.String(length=16), nullable=False, comment='title, dateline, byline, credit, duplicate or boilerplate'),
    sa.Column('reason', sa.Text(), nullable=False, comment='why the classifier gave this label'),
    sa.Column('text', sa.Text(), nullable=False, comment='the removed text'),
    sa.CheckConstraint("label IN ('title', 'dateline', 'byline', 'credit', 'duplicate', 'boilerplate')", name=op.f('ck_removed_segments_label')),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_removed_segments_article_id_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_removed_segments')),
    comment='Every raw segment that did not become a paragraph, with its label and the reason.'
    )
    with op.batch_alter_table('removed_segments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_removed_segments_article_id'), ['article_id'], unique=False)
        batch_op.create_index('ix_removed_segments_label', ['label'], unique=False)

    op.create_table('mentions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False, comment='the person referred to'),
    sa.Column('paragraph_id', sa.Integer(), nullable=False, comment='the paragraph containing it'),
    sa.Column('article_id', sa.Integer(), nullable=False, comment='the article (denormalized for easy joins)'),
    sa.Column('char_start', sa.Integer(), nullable=False, comment='0-based start offset in paragraphs.text (Python string index)'),
    sa.Column('char_end', sa.Integer(), nullable=False, comment='end offset, exclusive'),
    sa.Column('surface', sa.Text(), nullable=False, comment="the name as written, without titles, ranks or possessive 's"),
    sa.Column('article_name', sa.Text(), nullable=False, comment="the fullest form of this person's name in the same article"),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_mentions_article_id_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['paragraph_id'], ['paragraphs.id'], name=op.f('fk_mentions_paragraph_id_paragraphs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_mentions_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentions')),
    comment='Each reference to a person by name inside a paragraph: paragraphs.text[char_start:char_end] = surface.'
    )
    with op.batch_alter_table('mentions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentions_article_id'), ['article_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentions_paragraph_id'), ['paragraph_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentions_person_id'), ['person_id'], unique=False)
        batch_op.create_index('ix_mentions_surface', ['surface'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('mentions', schema=None) as batch_op:
        batch_op.drop_index('ix_mentions_surface')
        batch_op.drop_index(batch_op.f('ix_mentions_person_id'))
        batch_op.drop_index(batch_op.f('ix_mentions_paragraph_id'))
        batch_op.drop_index(batch_op.f('ix_mentions_article_id'))

    op.drop_table('mentions')
    with op.batch_alter_table('removed_segments', schema=None) as batch_op:
        batch_op.drop_index('ix_removed_segments_label')
        batch_op.drop_index(batch_op.f('ix_removed_segments_article_id'))

    op.drop_table('removed_segments')
    with op.batch_alter_table('person_aliases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_aliases_person_id'))
        batch_op.drop_index('ix_person_aliases_alias')

    op.drop_table('person_aliases')
    with op.batch_alter_table('paragraphs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paragraphs_article_id'))

    op.drop_table('paragraphs')
    with op.batch_alter_table('article_fingerprints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_fingerprints_fingerprint'))

    op.drop_table('article_fingerprints')
    with op.batch_alter_table('article_credits', schema=None) as batch_op:
        batch_op.drop_index('ix_article_credits_name')
        batch_op.drop_index(batch_op.f('ix_article_credits_article_id'))

    op.drop_table('article_credits')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_people_name_key'))
        batch_op.drop_index(batch_op.f('ix_people_first_run_id'))

    op.drop_table('people')
    with op.batch_alter_table('failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_failures_source_path'))
        batch_op.drop_index(batch_op.f('ix_failures_run_id'))

    op.drop_table('failures')
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_articles_run_id'))
        batch_op.drop_index('ix_articles_published_at')
        batch_op.drop_index('ix_articles_outlet')
        batch_op.drop_index(batch_op.f('ix_articles_first_run_id'))
        batch_op.drop_index(batch_op.f('ix_articles_deleted_run_id'))
        batch_op.drop_index('ix_articles_deleted_at')

    op.drop_table('articles')
    op.drop_table('runs')
    op.drop_table('people_curation')
    op.drop_table('line_fingerprints')
