import type { FastifyReply, FastifyRequest } from 'fastify';
import { authorize } from '../../platform/access/policy';
import { appendAudit } from '../../platform/audit/audit.service';
import { AppError } from '../../platform/errors';
import type { CsvColumn } from '../../platform/export';
import type { AppContext } from '../../platform/http/context';
import { requireExportStepUp, staffCsv } from '../../platform/http/request-work';
import { PEOPLE_ACTIONS } from './people.policy';
import type { SearchQuery } from './people.schema';
import { type PeopleContext, type presentSupporter, searchSupporters } from './people.service';

/*
 * `GET /api/people?format=csv`: every supporter the search matches, in the list's order (by name), as a
 * CSV file (formula injection neutralised by platform/export). Supporter records are S2: the export
 * needs the list's own `supporter.read` and a step-up within the window, and who took which list goes to the audit log (never the
 * searched words, which may be a name, nor the records).
 */

/** The audit action of a supporter list export. */
export const SUPPORTER_EXPORT_AUDIT_ACTION = 'supporter.export';
const PAGE = 500;

type SupporterLine = ReturnType<typeof presentSupporter>;

/** What the search list shows (name, kind, email, postcode, phone), with the record's other fields. */
const SUPPORTER_COLUMNS: CsvColumn<SupporterLine>[] = [
  { header: 'supporter_id', value: (s) => s.id },
  { header: 'name', value: (s) => s.displayName },
  'kind',
  { header: 'organisation_type', value: (s) => s.organisationType },
  { header: 'first_name', value: (s) => s.firstName },
  { header: 'last_name', value: (s) => s.lastName },
  'email',
  'postcode',
  'phone',
  { header: 'household_id', value: (s) => s.householdId },
  { header: 'created_at', value: (s) => s.createdAt },
];

/** Checks `supporter.read` and a fresh step-up, then records the export: before the first byte, so a refusal writes nothing. */
async function auditSupporterExport(pc: PeopleContext, query: SearchQuery): Promise<void> {
  if (!authorize(pc.subject, PEOPLE_ACTIONS.read).allowed)
    throw AppError.forbidden('You do not have access to this.');
  requireExportStepUp(pc.subject);
  // A tag may hold spaces, which an audit code may not (the export of `major donor` answered 500, found by
  // test/route-fuzz.test.ts); a tag never holds a dot, so spaces written as dots name it unambiguously.
  const tag = query.tag?.replaceAll(' ', '.');
  const code = ['supporters', ...(tag ? [`tag.${tag}`] : []), ...(query.q ? ['searched'] : [])];
  await appendAudit(pc.db, {
    actorId: pc.subject.userId,
    actorRole: pc.subject.role,
    action: SUPPORTER_EXPORT_AUDIT_ACTION,
    resourceType: 'supporter_export',
    resourceCode: code.join(':'),
    outcome: 'succeeded',
    requestId: pc.requestId,
  });
}

/** Every match, not the screen's 200: read 500 at a time, each page in its own short transaction. */
export function answerSupportersCsv(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  query: SearchQuery,
) {
  return staffCsv(ctx)<SupporterLine>(request, reply, {
    name: 'supporters',
    columns: SUPPORTER_COLUMNS,
    audit: (pc) => auditSupporterExport(pc, query),
    page: async (pc, after) =>
      (await searchSupporters(pc, { ...query, limit: PAGE, afterId: after?.id })).supporters,
    pageSize: PAGE,
  });
}
