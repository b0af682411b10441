// Screenshots of a sockcheck report for docs/: the matrix page, the Allure
// overview, and one run that did not pass with its sequence diagram open.
// Usage: node scripts/screenshots.mjs REPORT_DIR OUT_DIR (run by scripts/screenshots).
import puppeteer from 'puppeteer-core';
import path from 'node:path';

const [report, out] = process.argv.slice(2);
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--allow-file-access-from-files'],
});
const timeout = 20000;
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(timeout);

  // The matrix page: totals, matrix, coverage and the list of runs that did not pass.
  await page.setViewport({ width: 1280, height: 1100 });
  await page.goto('file://' + path.resolve(report, 'matrix.html'));
  await page.screenshot({ path: path.join(out, 'report-matrix.png') });
  console.log('wrote ' + path.join(out, 'report-matrix.png'));

  // A diagram on the matrix page, as the page shows it: the first of a hand-written
  // scenario (generated traces are long), else the first.
  const runs = await page.$$('div.run');
  let run = runs[0];
  for (const r of runs) {
    if (!(await r.evaluate(e => e.querySelector('h3').textContent.includes('generated/')))) {
      run = r;
      break;
    }
  }
  if (run) {
    await run.screenshot({ path: path.join(out, 'report-diagram.png') });
    console.log('wrote ' + path.join(out, 'report-diagram.png'));
  }

  // The Allure overview (categories, environment with the spec coverage).
  const allure = 'file://' + path.resolve(report, 'html/index.html');
  await page.setViewport({ width: 1400, height: 1000 });
  await page.goto(allure);
  await page.waitForSelector('.widget', { timeout });
  await new Promise(r => setTimeout(r, 1500));
  await page.screenshot({ path: path.join(out, 'report-allure.png') });
  console.log('wrote ' + path.join(out, 'report-allure.png'));

  // A run that did not pass: the first run of the first category, its diagram attachment opened.
  await page.goto(allure + '#categories');
  await page.waitForSelector('.tree__content .node__title', { timeout });
  await page.click('.tree__content .node__title');
  const hrefs = await page.$$eval('.tree__content a.node__leaf',
    as => as.map(a => [a.getAttribute('href'), a.textContent]));
  const href = (hrefs.find(([, text]) => !text.includes('generated/')) || hrefs[0])[0];
  await page.setViewport({ width: 1400, height: 1700 });
  await page.goto(allure + href);
  await page.waitForSelector('.attachment-row__name', { timeout });
  const rows = await page.$$('.attachment-row__name');
  for (const row of rows) {
    if ((await row.evaluate(e => e.textContent.trim())) === 'sequence diagram') {
      await row.click();
      await new Promise(r => setTimeout(r, 500));
      await row.evaluate(e => e.scrollIntoView({ block: 'center' }));
      break;
    }
  }
  await new Promise(r => setTimeout(r, 1500));
  await page.screenshot({ path: path.join(out, 'report-allure-run.png') });
  console.log('wrote ' + path.join(out, 'report-allure-run.png'));
} finally {
  await browser.close();
}
