import crypto from 'node:crypto';
import { hashPassword } from 'better-auth/crypto';
import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import { isStaffRole, type StaffRole } from '../access/roles';
import { appendAudit } from '../audit/audit.service';
import type { Db } from '../db/client';
import { AppError } from '../errors';
import type { Mailer, MailMessage } from '../mail/mailer';
import type { Actor } from './actor';
import { accounts, invitations, users } from './auth.table';
import { passwordProblem } from './password';
import { hashToken, newLinkToken } from './token-hash';

/** An invitation link works for 72 hours. */
export const INVITATION_TTL_MS = 72 * 60 * 60 * 1000;

export interface InviteStaffInput {
  email: string;
  name: string;
  role: StaffRole;
}

export interface InvitationView {
  id: string;
  email: string;
  name: string;
  role: string;
  kind: 'new_account' | 're_enrolment';
  status: 'pending' | 'accepted' | 'expired' | 'revoked';
  expiresAt: string;
  createdAt: string;
}

function statusOf(i: typeof invitations.$inferSelect, now: Date): InvitationView['status'] {
  if (i.acceptedAt) return 'accepted';
  if (i.revokedAt) return 'revoked';
  if (i.expiresAt <= now) return 'expired';
  return 'pending';
}

export function presentInvitation(i: typeof invitations.$inferSelect, now = new Date()): InvitationView {
  return {
    id: i.id,
    email: i.email,
    name: i.name,
    role: i.role,
    kind: i.userId ? 're_enrolment' : 'new_account',
    status: statusOf(i, now),
    expiresAt: i.expiresAt.toISOString(),
    createdAt: i.createdAt.toISOString(),
  };
}

function invitationEmail(
  publicUrl: string,
  token: string,
  name: string,
  reEnrolment: boolean,
  sentBy: string,
): Omit<MailMessage, 'to'> {
  const link = `${publicUrl}/invite#${token}`;
  return {
    // The link makes a staff account: the outbox keeps the mail without it (its sender may reveal it).
    secret: { kind: 'invitation', values: [link], sentBy },
    subject: reEnrolment ? 'Set up your Passage account again' : 'You are invited to Passage',
    text: [
      `Hello ${name},`,
      '',
      reEnrolment
        ? 'Your Passage account was frozen and can now be set up again. Open this link to choose a new password and enrol a new second factor:'
        : 'You have been invited to Passage. Open this link to choose a password and enrol a second factor:',
      '',
      link,
      '',
      'The link works once, for 72 hours. If you did not expect it, tell your security lead and do not open it.',
    ].join('\n'),
  };
}

/** Creates an invitation and its email in one transaction; the link carries the only copy of the token. */
export async function inviteStaff(
  db: Db,
  mail: Mailer,
  actor: Actor,
  input: InviteStaffInput,
  publicUrl: string,
  requestId: string | null,
  now = new Date(),
): Promise<InvitationView> {
  if (!isStaffRole(input.role)) throw AppError.invalid('role: must be a staff role');
  const email = input.email.toLowerCase();
  const token = newLinkToken();
  const invitation = await db.transaction(async (tx) => {
    const [existing] = await tx.select({ id: users.id }).from(users).where(eq(users.email, email));
    if (existing) throw AppError.conflict('email: an account with this address already exists');
    // A new invitation replaces any pending one for the same address.
    await tx
      .update(invitations)
      .set({ revokedAt: now })
      .where(
        and(eq(invitations.email, email), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)),
      );
    const [row] = await tx
      .insert(invitations)
      .values({
        id: crypto.randomUUID(),
        email,
        name: input.name,
        role: input.role,
        tokenHash: hashToken(token),
        invitedBy: actor.userId,
        expiresAt: new Date(now.getTime() + INVITATION_TTL_MS),
      })
      .returning();
    if (!row) throw new Error('invitation not written');
    await mail.enqueue(tx, {
      to: email,
      ...invitationEmail(publicUrl, token, input.name, false, actor.userId),
    });
    await appendAudit(tx, {
      actorId: actor.userId,
      actorRole: actor.role,
      action: 'invitation.create',
      resourceType: 'invitation',
      resourceCode: row.id,
      outcome: 'succeeded',
      requestId,
    });
    return row;
  });
  mail.deliverSoon();
  return presentInvitation(invitation, now);
}

/** The re-enrolment link for a frozen account: new password, new second factor, account unfrozen. */
export async function issueReEnrolment(
  db: Db,
  mail: Mailer,
  actor: Actor,
  userId: string,
  publicUrl: string,
  requestId: string | null,
  now = new Date(),
): Promise<InvitationView> {
  const token = newLinkToken();
  const invitation = await db.transaction(async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.id, userId)).for('update');
    if (!user || !isStaffRole(user.role)) throw AppError.notFound('No such staff account.');
    if (!user.frozenAt) throw AppError.conflict('This account is not frozen.');
    await tx
      .update(invitations)
      .set({ revokedAt: now })
      .where(
        and(eq(invitations.userId, userId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)),
      );
    const [row] = await tx
      .insert(invitations)
      .values({
        id: crypto.randomUUID(),
        email: user.email,
        name: user.name,
        role: user.role,
        userId,
        tokenHash: hashToken(token),
        invitedBy: actor.userId,
        expiresAt: new Date(now.getTime() + INVITATION_TTL_MS),
      })
      .returning();
    if (!row) throw new Error('invitation not written');
    await mail.enqueue(tx, {
      to: user.email,
      ...invitationEmail(publicUrl, token, user.name, true, actor.userId),
    });
    await appendAudit(tx, {
      actorId: actor.userId,
      actorRole: actor.role,
      action: 'account.re_enrolment_issued',
      resourceType: 'account',
      resourceCode: userId,
      outcome: 'succeeded',
      requestId,
    });
    return row;
  });
  mail.deliverSoon();
  return presentInvitation(invitation, now);
}

async function openInvitation(db: Db, token: string, now: Date) {
  const [row] = await db
    .select()
    .from(invitations)
    .where(
      and(
        eq(invitations.tokenHash, hashToken(token)),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
        gt(invitations.expiresAt, now),
      ),
    );
  if (!row) {
    throw new AppError(
      'invitation_invalid',
      'This invitation link is invalid, used or expired. Ask for a new one.',
    );
  }
  return row;
}

export async function lookupInvitation(db: Db, token: string, now = new Date()) {
  const row = await openInvitation(db, token, now);
  return { email: row.email, name: row.name, role: row.role, reEnrolment: row.userId !== null };
}

/**
 * Accepts an invitation: sets the password (creating the account, or replacing the password of a frozen one
 * and unfreezing it). The person then signs in and must enrol a second factor before anything else.
 */
export async function acceptInvitation(
  db: Db,
  input: { token: string; password: string },
  requestId: string | null,
  now = new Date(),
): Promise<{ userId: string; email: string; reEnrolment: boolean }> {
  const preview = await openInvitation(db, input.token, now);
  const problem = passwordProblem(input.password, { email: preview.email, name: preview.name });
  if (problem) throw AppError.invalid(`password: ${problem}`);
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(invitations)
      .where(
        and(eq(invitations.id, preview.id), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)),
      )
      .for('update');
    if (!row) throw new AppError('invitation_invalid', 'This invitation link was used a moment ago.');
    let userId = row.userId;
    if (userId) {
      await tx
        .update(users)
        .set({ frozenAt: null, frozenBy: null, updatedAt: now })
        .where(eq(users.id, userId));
      await tx
        .update(accounts)
        .set({ password: passwordHash, updatedAt: now })
        .where(and(eq(accounts.userId, userId), eq(accounts.providerId, 'credential')));
    } else {
      const [clash] = await tx.select({ id: users.id }).from(users).where(eq(users.email, row.email));
      if (clash) throw AppError.conflict('An account with this address already exists.');
      userId = crypto.randomUUID();
      await tx
        .insert(users)
        .values({ id: userId, name: row.name, email: row.email, emailVerified: true, role: row.role });
      await tx.insert(accounts).values({
        id: crypto.randomUUID(),
        accountId: userId,
        providerId: 'credential',
        userId,
        password: passwordHash,
      });
    }
    await tx.update(invitations).set({ acceptedAt: now }).where(eq(invitations.id, row.id));
    await appendAudit(tx, {
      actorId: userId,
      actorRole: row.role,
      action: row.userId ? 'account.re_enrolled' : 'invitation.accept',
      resourceType: 'account',
      resourceCode: userId,
      outcome: 'succeeded',
      requestId,
    });
    return { userId, email: row.email, reEnrolment: row.userId !== null };
  });
}

export async function listInvitations(db: Db, now = new Date()): Promise<InvitationView[]> {
  const rows = await db.select().from(invitations).orderBy(desc(invitations.createdAt)).limit(200);
  return rows.map((r) => presentInvitation(r, now));
}

export async function revokeInvitation(
  db: Db,
  actor: Actor,
  id: string,
  requestId: string | null,
  now = new Date(),
) {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(invitations)
      .set({ revokedAt: now })
      .where(and(eq(invitations.id, id), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
      .returning({ id: invitations.id });
    if (!row) throw AppError.notFound('No pending invitation with this id.');
    await appendAudit(tx, {
      actorId: actor.userId,
      actorRole: actor.role,
      action: 'invitation.revoke',
      resourceType: 'invitation',
      resourceCode: id,
      outcome: 'succeeded',
      requestId,
    });
  });
}
