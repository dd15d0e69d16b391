// The dashboard on a phone (390×844, dark): every page fits the width without sideways scrolling,
// and every datapoint and GUI variable shows its name; GUI panels lay out in columns that never
// overlap at any width, however many variables and however long their values.
import { mkdirSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { ADMIN, expect, PAGES, signIn, SIM_PASSWORD, startSite, test, type Site } from '../hub-fixture';

const SCREENSHOTS = 'test-results/screenshots';
mkdirSync(SCREENSHOTS, { recursive: true });

const PHONE = { width: 390, height: 844 };


/**
 * What sticks out sideways: the page's own scroll width, every element reaching past either edge
 * of the viewport (unless an ancestor clips it: that ancestor is judged instead), and every box
 * that scrolls sideways inside the page. Each as a line naming the element.
 */
function sidewaysOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const found: string[] = [];
    const scroller = document.scrollingElement ?? document.documentElement;
    if (scroller.scrollWidth > scroller.clientWidth) found.push(`the page scrolls sideways: ${scroller.scrollWidth} px wide in ${scroller.clientWidth} px`);
    const describe = (element: Element) => {
      const text = (element.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 60);
      const label = element.getAttribute('aria-label');
      return `<${element.tagName.toLowerCase()}${label ? ` aria-label="${label}"` : ''}> "${text}"`;
    };
    const clips = (element: Element) => getComputedStyle(element).overflowX !== 'visible';
    const clippedByAncestor = (element: Element) => {
      for (let parent = element.parentElement; parent && parent !== document.body; parent = parent.parentElement) if (clips(parent)) return true;
      return false;
    };
    // Only the outermost of a nest of overflowing elements is named: its cells say nothing more.
    const reported = new Set<Element>();
    const inReported = (element: Element) => {
      for (let parent = element.parentElement; parent; parent = parent.parentElement) if (reported.has(parent)) return true;
      return false;
    };
    for (const element of document.body.querySelectorAll('*')) {
      const box = element.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      if ((box.right > width + 0.5 || box.left < -0.5) && !clippedByAncestor(element) && !inReported(element)) {
        reported.add(element);
        found.push(`${describe(element)} spans ${Math.round(box.left)}..${Math.round(box.right)} px of ${width}`);
      }
      const style = getComputedStyle(element);
      if ((style.overflowX === 'auto' || style.overflowX === 'scroll') && element.scrollWidth > element.clientWidth + 1) {
        found.push(`${describe(element)} scrolls sideways: ${element.scrollWidth} px of content in ${element.clientWidth} px`);
      }
    }
    return found;
  });
}

/**
 * Every datapoint or GUI variable shown (each has a value labelled `Value of <name>`) whose row is
 * on screen: its name, or the end of it after a heading that gives the rest, must be text in the
 * row, inside the viewport and shown whole (not cut to nothing nor truncated).
 */
function hiddenNames(page: Page, within: string): Promise<{ shown: number; hidden: string[] }> {
  return page.evaluate((selector) => {
    const viewport = { width: document.documentElement.clientWidth, height: document.documentElement.clientHeight };
    const hidden: string[] = [];
    let shown = 0;
    for (const value of document.querySelectorAll(`${selector} [aria-label^="Value of "]`)) {
      const name = (value.getAttribute('aria-label') ?? '').slice('Value of '.length);
      const row = value.closest('[role="listitem"], li') ?? value.parentElement;
      if (!row) continue;
      const rowBox = row.getBoundingClientRect();
      if (rowBox.bottom <= 0 || rowBox.top >= viewport.height || rowBox.height === 0) continue;
      shown++;
      // The name's text: the whole name, or its last parts at a dot (under a heading naming the rest).
      const candidates = [...row.querySelectorAll('*')].filter((element) => {
        if (element === value || value.contains(element)) return false;
        const text = (element.textContent ?? '').trim();
        return text !== '' && (text === name || name.endsWith(`.${text}`)) && element.children.length === 0;
      });
      const whole = candidates.find((element) => {
        const box = element.getBoundingClientRect();
        const cut = element.scrollWidth > element.clientWidth + 1 && getComputedStyle(element).overflowX !== 'visible';
        return box.width > 0 && box.left >= -0.5 && box.right <= viewport.width + 0.5 && !cut;
      });
      if (!whole) {
        const box = candidates[0]?.getBoundingClientRect();
        hidden.push(box ? `${name}: its name spans ${Math.round(box.left)}..${Math.round(box.right)} px, ${Math.round(box.width)} px wide` : `${name}: no text names it`);
      }
    }
    return { shown, hidden };
  }, within);
}

/** Waits until a page has what it shows (so that the checks see it), by what it is. */
async function waitForContent(page: Page, path: string): Promise<void> {
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  if (path === 'datapoints') await expect(page.getByRole('list', { name: 'Datapoints' }).getByLabel(/^Value of /).first()).toBeVisible();
  if (path === 'gui') await expect(page.getByRole('article', { name: 'GUI panel lobby' }).getByLabel(/^Value of /).first()).toBeVisible();
  if (path === 'loggers') await expect(page.getByRole('table', { name: 'Replicated loggers' })).toBeVisible();
  if (path === 'write-log') await expect(page.getByText('floor2.virtual.4').first()).toBeVisible();
  if (path === 'audit') await expect(page.getByRole('table', { name: 'Admin actions' })).toBeVisible();
  if (path === 'overview') await expect(page.getByText('2 of 2 remotes online')).toBeVisible();
}

/** A GUI text that is long, has a word longer than a phone is wide, and changes on the remote. */
const LONG_TEXT = `Reception closes early today: deliveries to ${'the-loading-bay-behind-the-north-wing-'.repeat(3)}end`;

test.describe('on a phone, in the dark', () => {
  test.use({ viewport: PHONE, colorScheme: 'dark', hasTouch: true });

  test('the sign-in page fits the width', async ({ page, deployment }) => {
    await page.goto(deployment.hub.url);
    await expect(page.getByRole('form', { name: 'Sign in' })).toBeVisible();
    expect(await sidewaysOverflow(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}/phone-dark-sign-in.png`, fullPage: true });
  });

  test('every page fits 390 px without sideways scrolling, and every datapoint and GUI variable shows its name', async ({ page, deployment }) => {
    // A write log entry with a value longer than the phone is wide, without a space to break at.
    await deployment.admin.call('POST', '/api/writes', { name: 'floor2.virtual.4', value: `a-value-without-a-space-${'x'.repeat(60)}` });
    await deployment.lobby.direct.get(`/x/riouiset?1*${SIM_PASSWORD}*status.text*${encodeURIComponent(LONG_TEXT)}`);
    try {
      await signIn(page, deployment.hub.url, ADMIN);
      for (const [link, path] of PAGES) {
        await page.getByRole('link', { name: link }).click();
        await waitForContent(page, path);
        // Soft: every page is checked and saved, whatever an earlier one showed.
        expect.soft(await sidewaysOverflow(page), `${link} at 390 px`).toEqual([]);
        if (path === 'datapoints' || path === 'gui') {
          const { shown, hidden } = await hiddenNames(page, path === 'gui' ? 'main' : '[role="list"][aria-label="Datapoints"]');
          expect.soft(shown, `${link}: rows on screen`).toBeGreaterThan(0);
          expect.soft(hidden, `${link}: names not shown whole at 390 px`).toEqual([]);
        }
        await page.screenshot({ path: `${SCREENSHOTS}/phone-dark-${path}.png`, fullPage: true });
      }
    } finally {
      await deployment.lobby.direct.get(`/x/riouiset?1*${SIM_PASSWORD}*status.text*Welcome%20to%20lobby`);
    }
  });
});

/** Remotes with GUI panels beside the lobby's: long names, long values, and one offline (its variables stale). */
const EXTRA_PANELS = ['gallery', 'conference-centre-east-wing-level-minus-two', 'kiosk'] as const;

test.describe('GUI panels with many variables and long values', () => {
  const sites = new Map<string, Site>();
  test.beforeAll(async ({ deployment }) => {
    for (const name of EXTRA_PANELS) {
      const site = await startSite(['--name', name, '--lights', '2', '--dimmers', '0', '--shutters', '0', '--sensors', '0', '--virtuals', '0']);
      sites.set(name, site);
      // Every GUI variable of the simulator, with a long text: with spaces, or one word wider than a phone.
      const values: Record<string, string> = {
        'status.text': LONG_TEXT,
        'status.visible': `visible-${'0123456789'.repeat(8)}`,
        'alarm.visible': 'false, until the smoke detectors of the east stairwell report again',
        'lights.text': `${name}: every light of the hall, the stairs and the car park is switched off`,
        'shutters.text': 'https://example.invalid/a/very/long/address/shown/as/a/gui/text/without/any/space/in/it',
      };
      for (const [variable, value] of Object.entries(values)) await site.direct.get(`/x/riouiset?1*${SIM_PASSWORD}*${variable}*${encodeURIComponent(value)}`);
      await deployment.admin.addSim(name, site.sim, { ui: true });
    }
  });
  test.afterAll(async ({ deployment }) => {
    for (const [name, site] of sites) {
      await deployment.admin.call('DELETE', `/api/remotes/${name}`).catch(() => undefined);
      await site.direct.close();
      await site.sim.stop();
    }
  });

  test('no two panels overlap and no group spills out of its panel, at 390, 768, 1366 and 1920 px', async ({ page, deployment }) => {
    await signIn(page, deployment.hub.url, ADMIN);
    await page.getByRole('link', { name: 'GUI panels' }).click();
    for (const name of EXTRA_PANELS) {
      await expect(page.getByRole('article', { name: `GUI panel ${name}` }).getByLabel(`Value of ${name}.shutters.text`, { exact: true })).toContainText('without/any/space');
    }
    // The kiosk goes offline: its variables carry a stale badge and say why a write would be refused.
    sites.get('kiosk')?.sim.child.kill('SIGKILL');
    await expect(page.getByRole('article', { name: 'GUI panel kiosk' }).getByRole('note').first()).toBeVisible({ timeout: 30_000 });
    for (const width of [390, 768, 1366, 1920]) {
      await page.setViewportSize({ width, height: 900 });
      const layout = await page.evaluate(() => {
        const problems: string[] = [];
        const panels = [...document.querySelectorAll('article[aria-label^="GUI panel "]')];
        const boxes = panels.map((panel) => ({ name: panel.getAttribute('aria-label') ?? '', box: panel.getBoundingClientRect() }));
        for (const [i, a] of boxes.entries()) {
          for (const b of boxes.slice(i + 1)) {
            const overlap = a.box.left < b.box.right - 0.5 && b.box.left < a.box.right - 0.5 && a.box.top < b.box.bottom - 0.5 && b.box.top < a.box.bottom - 0.5;
            if (overlap) problems.push(`${a.name} overlaps ${b.name}`);
          }
        }
        for (const [i, panel] of panels.entries()) {
          const outer = boxes[i]?.box;
          if (!outer) continue;
          // Every group, and everything in it, stays inside its panel's box.
          for (const inner of panel.querySelectorAll('fieldset, fieldset *')) {
            const box = inner.getBoundingClientRect();
            if (box.width === 0) continue;
            if (box.left < outer.left - 0.5 || box.right > outer.right + 0.5) {
              problems.push(`${boxes[i]?.name}: <${inner.tagName.toLowerCase()}> "${(inner.textContent ?? '').slice(0, 40)}" spans ${Math.round(box.left)}..${Math.round(box.right)}, the panel ${Math.round(outer.left)}..${Math.round(outer.right)}`);
            }
          }
        }
        return { panels: panels.length, problems };
      });
      // Soft: every width is checked and saved, whatever a narrower one showed.
      expect.soft(layout.panels, `${width} px: panels`).toBe(1 + EXTRA_PANELS.length);
      expect.soft(layout.problems, `${width} px`).toEqual([]);
      expect.soft(await sidewaysOverflow(page), `${width} px`).toEqual([]);
      const { hidden } = await hiddenNames(page, 'main');
      expect.soft(hidden, `${width} px: names not shown whole`).toEqual([]);
      await page.screenshot({ path: `${SCREENSHOTS}/gui-many-${width}.png`, fullPage: true });
    }
  });
});
