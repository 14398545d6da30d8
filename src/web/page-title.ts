/**
 * The browser tab's title follows the page's main heading: "Recommendations · Palisade", an
 * alert's own title on its page, so tabs, history and bookmarks name what they hold.
 */

const APP = 'Palisade';

/** The title for a page whose heading reads `heading` (the bare app name when there is none). */
export function titleFor(heading: string | null | undefined): string {
  const text = heading?.replace(/\s+/g, ' ').trim();
  return text && text !== APP ? `${text} · ${APP}` : APP;
}

/**
 * Keeps `document.title` equal to `titleFor` the first `h1` inside `root`, as pages render and
 * load their data. Returns the clean-up for an effect.
 */
export function followHeading(root: HTMLElement): () => void {
  const update = () => {
    const next = titleFor(root.querySelector('h1')?.textContent);
    if (document.title !== next) document.title = next;
  };
  update();
  const observer = new MutationObserver(update);
  observer.observe(root, { childList: true, subtree: true, characterData: true });
  return () => observer.disconnect();
}
