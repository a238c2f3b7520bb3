// Playwright helpers that drive the VS Code workbench in chromium like a person: the Explorer, the command palette,
// hovers, the Problems panel, notifications and webviews. Every wait is for an element or an event, never a sleep.
import type { Frame, Page } from 'playwright-core';

/** Opens a file of the workspace from the Explorer tree, folder by folder ('jet-tagger/jet-tagger.qnn'). */
export async function openFile(page: Page, relPath: string): Promise<void> {
  const parts = relPath.split('/');
  const tree = page.locator('.explorer-folders-view');
  await tree.waitFor({ timeout: 60_000 });
  for (let i = 0; i < parts.length; i++) {
    const row = tree.locator(`.monaco-list-row[aria-label="${parts[i]}"], .monaco-list-row[aria-label^="${parts[i]} "]`).first();
    await row.waitFor({ timeout: 30_000 });
    const expanded = await row.getAttribute('aria-expanded');
    if (i < parts.length - 1) {
      if (expanded !== 'true') await row.click();
    } else {
      await row.dblclick();
    }
  }
  await page.locator(`.tabs-container .tab[aria-label^="${parts[parts.length - 1]}"]`).first().waitFor({ timeout: 30_000 });
  await page.locator('.monaco-editor .view-lines').first().waitFor({ timeout: 30_000 });
}

/** Runs a command from the palette by its full title ('QNN: Show Resource Report'). */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ timeout: 15_000 });
  await input.press('Enter');
}

/** The labels of the command palette's entries for a search (to see which commands exist). */
export async function paletteEntries(page: Page, search: string): Promise<string[]> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${search}`);
  const list = page.locator('.quick-input-widget .quick-input-list');
  await list.waitFor({ state: 'attached' });
  // The list renders after the filter: wait for either rows or the "no matching commands" message.
  await page.locator('.quick-input-widget .monaco-list-row, .quick-input-widget .quick-input-message').first().waitFor({ timeout: 10_000 }).catch(() => undefined);
  const labels = await page.locator('.quick-input-widget .monaco-list-row .label-name').allInnerTexts();
  await page.keyboard.press('Escape');
  return labels;
}

/** Accepts the open quick pick (Enter) once it shows a row with the text. */
export async function acceptQuickPick(page: Page, text: string | RegExp): Promise<void> {
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: text }).first();
  await row.waitFor({ timeout: 30_000 });
  await page.locator('.quick-input-widget input').press('Enter');
}

/** Moves the mouse onto the first token with exactly this text in the editor and returns the hover's text. */
export async function hoverText(page: Page, word: string): Promise<string> {
  const token = page.locator('.monaco-editor .view-lines .view-line span span', { hasText: new RegExp(`^${word}$`) }).first();
  await token.waitFor({ timeout: 30_000 });
  const hover = page.locator('.monaco-hover:not(.hidden) .monaco-hover-content, .monaco-resizable-hover .monaco-hover-content').first();
  // The server may still be starting: move away and back until a hover with content shows. The editor re-renders a
  // line when its inlay hints or semantic colors arrive, so the token's element may be replaced between two looks:
  // wait for it to show again rather than fail on the moment it is gone.
  let seen = false;
  for (let attempt = 0; attempt < 10; attempt++) {
    await token.waitFor({ state: 'visible', timeout: 10_000 }).catch(() => undefined);
    const box = await token.boundingBox();
    if (!box) continue;
    seen = true;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    try {
      await hover.waitFor({ state: 'visible', timeout: 5_000 });
      const text = await hover.innerText();
      if (text.trim().length > 0 && !/^Loading/.test(text)) return text;
    } catch {
      // no hover yet
    }
    await page.mouse.move(0, 0);
  }
  throw new Error(seen ? `no hover appeared over '${word}'` : `the token '${word}' is not visible`);
}

/** Opens the Problems panel and returns its rows' text (waiting until at least `min` rows show). */
export async function problems(page: Page, min = 1): Promise<string[]> {
  const rows = page.locator('.markers-panel .monaco-list-row');
  if (!(await page.locator('.markers-panel').isVisible())) await page.keyboard.press('Control+Shift+M');
  await page.locator('.markers-panel').waitFor({ timeout: 15_000 });
  if (min > 0) await rows.nth(min - 1).waitFor({ timeout: 60_000 });
  return rows.allInnerTexts();
}

/** Waits for a notification toast whose text matches and returns its text. */
export async function notification(page: Page, text: RegExp, timeout = 120_000): Promise<string> {
  const toast = page.locator('.notifications-toasts .notification-list-item', { hasText: text }).first();
  await toast.waitFor({ timeout });
  return toast.innerText();
}

/** The frame of a webview whose document contains the selector (webviews are iframes inside iframes). */
export async function webviewFrame(page: Page, selector: string, timeout = 60_000): Promise<Frame> {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    for (const f of page.frames()) {
      const el = await f.$(selector).catch(() => null);
      if (el) return f;
    }
    // Wait for the next frame to load or navigate, or a second, then look again.
    await Promise.race([
      page.waitForEvent('framenavigated', { timeout: 1_000 }).catch(() => undefined),
      page.waitForEvent('frameattached', { timeout: 1_000 }).catch(() => undefined),
    ]);
  }
  throw new Error(`no webview shows ${selector}`);
}

/** The status bar's text. */
export function statusBarItem(page: Page, text: RegExp) {
  return page.locator('.statusbar-item', { hasText: text }).first();
}
