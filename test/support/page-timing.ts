/**
 * The console's speed as its user feels it, measured inside Chromium: `performance.now()` from a
 * click until what it opens is in the DOM and the next frame has been drawn, and the browser's own
 * long-task entries (tasks over 50 ms, which delay the next frame or keystroke). Measured in the page,
 * so no round trip to the test process is counted.
 */
import type { Page } from 'playwright-core';

/** How many times a page is opened from a freshly loaded console to time it: a median, not one draw. */
export const FRESH_VISITS = 5;

/** Makes `page` record its long tasks from the moment each document starts; read them with `longTasks`. */
export async function recordLongTasks(page: Page): Promise<void> {
  await page.addInitScript(`
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__longTasks.push(Math.round(entry.duration));
    }).observe({ type: 'longtask', buffered: true });`);
}

/** Forgets the long tasks recorded so far: what follows is measured on its own. */
export async function forgetLongTasks(page: Page): Promise<void> {
  await page.evaluate('window.__longTasks = []');
}

/** The durations (ms) of the long tasks recorded since the document started or `forgetLongTasks`. */
export async function longTasks(page: Page): Promise<number[]> {
  return (await page.evaluate('window.__longTasks')) as number[];
}

/**
 * Clicks the first element `selector` matches and answers the milliseconds until the script
 * expression `done` holds (checked on every DOM change) and a frame has been drawn after it.
 */
export function timeClick(page: Page, selector: string, done: string): Promise<number> {
  const target = JSON.stringify(selector);
  return page.evaluate(`new Promise((resolve, reject) => {
    const target = document.querySelector(${target});
    if (!target) return reject(new Error('nothing matches ' + ${target}));
    const started = performance.now();
    const observer = new MutationObserver(() => {
      if (!(${done})) return;
      observer.disconnect();
      requestAnimationFrame(() => resolve(performance.now() - started));
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true });
    target.click();
  })`) as Promise<number>;
}

/** The median of some timings, and the worst, for a line of a test's output. */
export function spread(times: readonly number[]): { median: number; worst: number; text: string } {
  const sorted = [...times].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const median = Math.round(
    sorted.length % 2 === 1
      ? (sorted[Math.floor(middle)] ?? 0)
      : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2,
  );
  const worst = Math.round(sorted.at(-1) ?? 0);
  return { median, worst, text: `median ${median} ms, worst ${worst} ms of ${times.length}` };
}

/** Long tasks (ms) recorded during each step of a journey, by the step's name. */
export type LongTasksByStep = Record<string, number[]>;

/** An empty record of long tasks for the named steps. */
export function longTaskSteps<const Step extends string>(...steps: Step[]): Record<Step, number[]> {
  return Object.fromEntries(steps.map((step) => [step, []])) as unknown as Record<Step, number[]>;
}

/** "longest task 80 ms (first page 80 ms, details none)": the longest, and where each step stood. */
export function describeLongTasks(byStep: LongTasksByStep): string {
  const longest = (tasks: number[]) => (tasks.length === 0 ? 'none' : `${Math.max(...tasks)} ms`);
  const steps = Object.entries(byStep).map(([step, tasks]) => `${step} ${longest(tasks)}`);
  return `longest task ${longest(Object.values(byStep).flat())} (${steps.join(', ')})`;
}

/**
 * How many changes the body of the table labelled `table` sees from now until the page has fetched
 * a URL containing `list` twice more (two polls): a poll that brings nothing new should change none.
 */
export function rowChangesOverTwoPolls(page: Page, table: string, list: string): Promise<number> {
  return page.evaluate(`new Promise((resolve) => {
    const body = document.querySelector(${JSON.stringify(`table[aria-label="${table}"] tbody`)});
    let changed = 0;
    const observer = new MutationObserver((records) => { changed += records.length; });
    observer.observe(body, { childList: true, subtree: true, characterData: true, attributes: true });
    const seen = performance.getEntriesByType('resource').length;
    const timer = setInterval(() => {
      const polls = performance.getEntriesByType('resource').slice(seen)
        .filter((entry) => entry.name.includes(${JSON.stringify(list)})).length;
      if (polls < 2) return;
      clearInterval(timer);
      observer.disconnect();
      resolve(changed);
    }, 100);
  })`) as Promise<number>;
}
