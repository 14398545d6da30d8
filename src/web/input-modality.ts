/**
 * Whether the user drives the console by keyboard or by pointer, as `data-input` on the root
 * element. Chromium shows the :focus-visible ring on a heading that script focuses before any
 * input (a direct load): the stylesheet shows a heading's ring only once a key was pressed.
 */

/** Starts following the last kind of input; call once at start-up. */
export function followInputModality(root: HTMLElement = document.documentElement): void {
  root.dataset.input = 'none';
  const set = (kind: string) => () => {
    if (root.dataset.input !== kind) root.dataset.input = kind;
  };
  window.addEventListener('keydown', set('keyboard'), true);
  window.addEventListener('pointerdown', set('pointer'), true);
}
