/**
 * SVG -> PNG with resvg (no browser). Text uses DejaVu Sans from the system fonts (Debian's
 * fonts-dejavu-core); loading that one file instead of scanning every system font keeps a render
 * at tens of milliseconds. Without it, the system fonts are scanned for any sans-serif.
 */
import { existsSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';

const DEJAVU = ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/TTF/DejaVuSans.ttf', '/usr/share/fonts/dejavu/DejaVuSans.ttf'];

export const CHART_FONT = 'DejaVu Sans';

export function svgToPng(svg: string): Buffer {
  const file = DEJAVU.find((f) => existsSync(f));
  const bold = file?.replace('DejaVuSans.ttf', 'DejaVuSans-Bold.ttf');
  const r = new Resvg(svg, {
    background: '#ffffff',
    font: file !== undefined
      ? { fontFiles: bold !== undefined && existsSync(bold) ? [file, bold] : [file], loadSystemFonts: false, defaultFontFamily: CHART_FONT, sansSerifFamily: CHART_FONT }
      : { loadSystemFonts: true, defaultFontFamily: CHART_FONT },
  });
  return r.render().asPng();
}
