import { and, eq } from 'drizzle-orm';
import { AppError } from '../../platform/errors';
import { RESCUE_ACTIONS } from './rescue.policy';
import { PHOTO_MAX_BYTES } from './rescue.schema';
import { travellers } from './rescue.table';
import { caseForAction, type RescueContext } from './rescue-access';
import { travellerField } from './traveller.service';

/**
 * Re-encodes an uploaded photo as JPEG: every metadata block (EXIF with GPS, camera serials, XMP, ICC) is
 * dropped by the re-encode, the orientation is applied to the pixels, and the size is bounded.
 */
export async function cleanPhoto(input: Buffer): Promise<Buffer> {
  // Loaded on first use: the native image library is not needed to start the server.
  const sharp = (await import('sharp')).default;
  if (input.length > PHOTO_MAX_BYTES) {
    throw AppError.invalid(`photo: must be at most ${PHOTO_MAX_BYTES / 1024 / 1024} MB`);
  }
  let format: string | undefined;
  try {
    format = (await sharp(input).metadata()).format;
  } catch {
    throw AppError.invalid('photo: must be a JPEG, PNG or WebP image');
  }
  if (!format || !['jpeg', 'png', 'webp'].includes(format)) {
    throw AppError.invalid('photo: must be a JPEG, PNG or WebP image');
  }
  return sharp(input)
    .rotate()
    .resize({ width: 1200, height: 1200, fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 85 })
    .toBuffer();
}

async function travellerOf(rc: RescueContext, caseId: string, position: number) {
  const [t] = await rc.db
    .select({ id: travellers.id, photoEnc: travellers.photoEnc })
    .from(travellers)
    .where(and(eq(travellers.caseId, caseId), eq(travellers.position, position)));
  if (!t) throw AppError.notFound(`Traveller ${position} does not exist in this case.`);
  return t;
}

export async function storeTravellerPhoto(rc: RescueContext, code: string, position: number, image: Buffer) {
  const row = await caseForAction(rc, code, RESCUE_ACTIONS.write);
  if (row.shreddedAt) throw AppError.conflict('This case has been shredded.');
  const t = await travellerOf(rc, row.id, position);
  const clean = await cleanPhoto(image);
  const key = await rc.keys.openDataKey(rc.db, row.dataKeyId);
  await rc.db
    .update(travellers)
    .set({
      photoEnc: key.encrypt(travellerField(t.id, 'photo'), clean),
      photoType: 'image/jpeg',
      updatedAt: rc.now ?? new Date(),
    })
    .where(eq(travellers.id, t.id));
  return { bytes: clean.length };
}

/** Opening a photo is an S4 read: step-up and audit, like the other identity fields. */
export async function readTravellerPhoto(rc: RescueContext, code: string, position: number): Promise<Buffer> {
  const row = await caseForAction(rc, code, RESCUE_ACTIONS.readS4);
  if (row.shreddedAt) throw AppError.gone('The identities of this case were shredded.');
  const t = await travellerOf(rc, row.id, position);
  if (!t.photoEnc) throw AppError.notFound('This traveller has no photo.');
  const key = await rc.keys.openDataKey(rc.db, row.dataKeyId);
  return key.decryptBuffer(travellerField(t.id, 'photo'), t.photoEnc);
}
