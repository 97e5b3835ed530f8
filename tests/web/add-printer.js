// Adds an e-mail queue through the CUPS web interface, as an admin would:
// Administration > Add Printer > "Email (printmail)" > device URI > name >
// our PPD (uploaded) > Add Printer > Set Default Options.  Driven in
// Debian's headless Chromium; a screenshot of each step is kept.
// Usage: node add-printer.js CUPS_URL QUEUE DEVICE_URI PPD SHOTS_DIR
'use strict';
const { chromium } = require('playwright-core');

const [url, queue, deviceUri, ppd, shots] = process.argv.slice(2);

async function main() {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
      '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage();
  page.setDefaultTimeout(20000);
  let n = 0;
  const shot = async (name) => {
    n += 1;
    await page.screenshot({ path: `${shots}/${String(n).padStart(2, '0')}-${name}.png`, fullPage: true });
  };
  try {
    await page.goto(`${url}/admin`);
    await shot('administration');
    await page.click('input[value="Add Printer"]');
    await page.waitForSelector('input[name="DEVICE_URI"]');
    await shot('choose-device');
    // Our backend's discovery line: "network email ... Email (printmail)".
    const radio = page.locator('input[name="DEVICE_URI"][value^="email"]');
    await radio.check();
    await page.click('input[type="submit"][value="Continue"]');
    await page.waitForSelector('input[name="DEVICE_URI"][type="URL"], input[name="DEVICE_URI"][type="TEXT"], input[name="DEVICE_URI"][type="text"], input[name="DEVICE_URI"][type="url"]');
    await shot('device-uri');
    await page.fill('input[name="DEVICE_URI"]', deviceUri);
    await page.click('input[type="submit"][value="Continue"]');
    await page.waitForSelector('input[name="PRINTER_NAME"]');
    await page.fill('input[name="PRINTER_NAME"]', queue);
    await page.fill('input[name="PRINTER_INFO"]', 'Invoices by e-mail');
    await page.fill('input[name="PRINTER_LOCATION"]', 'Accounting');
    await shot('name');
    await page.click('input[type="submit"][value="Continue"]');
    await page.waitForSelector('input[name="PPD_FILE"]');
    await page.setInputFiles('input[name="PPD_FILE"]', ppd);
    await shot('ppd');
    await page.click('input[type="submit"][value="Add Printer"]');
    await page.waitForLoadState('networkidle');
    await shot('added');
    const setDefaults = page.locator('input[type="submit"][value="Set Default Options"]');
    if (await setDefaults.count() > 0) {
      await setDefaults.first().click();
      await page.waitForLoadState('networkidle');
      await shot('defaults');
    }
    await page.goto(`${url}/printers/${queue}`);
    await shot('queue');
    console.log(`title: ${await page.title()}`);
  } finally {
    await browser.close();
  }
}

main().catch((err) => {
  console.error(`web test failed: ${err.message}`);
  process.exit(1);
});
