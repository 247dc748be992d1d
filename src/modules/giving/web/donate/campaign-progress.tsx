import type { CampaignProgress } from '../../donations/donate.service';
import { count, money } from './donate-format';
import type { Language, Translate } from './donate-strings';

/** Whole percent of the goal, 0–100 (the same rule as the server's widget). */
function percent(p: CampaignProgress): number {
  const goal = p.goalKind === 'units' ? (p.goalUnits ?? 0) * (p.unitMinor ?? 0) : (p.goalMinor ?? 0);
  return goal > 0 ? Math.max(0, Math.min(100, Math.floor((p.raisedMinor * 100) / goal))) : 0;
}

export function progressText(p: CampaignProgress, t: Translate, language: Language): string {
  return p.goalKind === 'units'
    ? t('progressUnits', {
        funded: count(p.unitsFunded ?? 0, language),
        goal: count(p.goalUnits ?? 0, language),
      })
    : t('progressMoney', {
        raised: money(p.raisedMinor, p.currency, language),
        goal: money(p.goalMinor ?? 0, p.currency, language),
      });
}

export function CampaignProgressBar({
  progress,
  t,
  language,
}: {
  progress: CampaignProgress;
  t: Translate;
  language: Language;
}) {
  const value = percent(progress);
  const text = progressText(progress, t, language);
  return (
    <div className="progress" data-testid="donate-campaign-progress">
      <div
        className="progress-bar"
        role="progressbar"
        aria-label={t('progressLabel', { name: progress.name })}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={value}
        aria-valuetext={text}
      >
        <span style={{ width: `${value}%` }} />
      </div>
      <p className="progress-text">{text}</p>
    </div>
  );
}
