import { useEffect, useMemo, useState } from 'react';
import { DonateForm } from './donate-form';
import { type Language, pageLanguage, storedLanguage, storeLanguage, translator } from './donate-strings';
import { ThankYou } from './thank-you';

/**
 * The donate page's whole app: `/give` (the form) and `/give/thank-you`. No router and no Mantine, so a
 * phone downloads only React and this page (see the budget check in test/e2e/giving-donate.e2e.test.ts).
 */
export function DonateApp() {
  const [language, setLanguage] = useState<Language>(() => pageLanguage(storedLanguage()));
  const t = useMemo(() => translator(language), [language]);
  const thanks = window.location.pathname.replace(/\/+$/, '') === '/give/thank-you';

  useEffect(() => {
    document.documentElement.lang = language;
    document.title = `${thanks ? t('thanksTitle') : t('title')} · Passage`;
  }, [language, thanks, t]);

  const other: Language = language === 'ko' ? 'en' : 'ko';
  return (
    <>
      <a className="skip" href="#donate-main">
        {t('skipToContent')}
      </a>
      <header className="top">
        <a className="brand" href="/">
          Passage
        </a>
        <button
          type="button"
          className="language"
          lang={other}
          aria-label={t('otherLanguageLabel')}
          onClick={() => {
            storeLanguage(other);
            setLanguage(other);
          }}
          data-testid="donate-language"
        >
          {t('otherLanguage')}
        </button>
      </header>
      <main id="donate-main" className="page">
        {thanks ? (
          <ThankYou t={t} language={language} />
        ) : (
          <>
            <h1>{t('title')}</h1>
            <p className="lead">{t('lead')}</p>
            <DonateForm t={t} language={language} />
          </>
        )}
      </main>
    </>
  );
}
