/** The report page's stylesheet: plain, printable, readable on a laptop screen. */
export const REPORT_CSS = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 -apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1f2328;background:#f6f8fa}
header{padding:16px 24px 8px;background:#fff;border-bottom:1px solid #d0d7de}
h1{margin:0;font-size:20px}h2{margin:0 0 10px;font-size:16px}h3{margin:4px 0;font-size:13px;color:#57606a}
.ct-subtitle{margin:2px 0 6px;color:#57606a}
nav a{margin-right:12px;font-size:12px;color:#0969da;text-decoration:none}
main{padding:16px 24px;max-width:1600px}
footer{padding:8px 24px 24px;color:#57606a;font-size:12px}
.ct-section{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:14px 16px;margin-bottom:16px;position:relative}
.ct-chart{width:100%;position:relative}
.ct-legend{font-size:12px;margin-bottom:4px}
.ct-legend-item{margin-right:14px}.ct-legend-item i{display:inline-block;width:12px;height:3px;margin-right:5px;vertical-align:middle}
.ct-caption{color:#57606a;font-size:12px;margin:6px 0 0}
.ct-metric-groups{display:flex;flex-wrap:wrap;gap:10px 32px}
.ct-metrics th{text-align:left;font-weight:normal;color:#57606a;padding:1px 16px 1px 0}
.ct-metrics td{text-align:right;font-variant-numeric:tabular-nums}
.ct-table-wrap{overflow:auto;border:1px solid #eaeef2}
.ct-table{border-collapse:collapse;width:100%;font-size:12px;font-variant-numeric:tabular-nums}
.ct-table th{position:sticky;top:0;background:#f6f8fa;cursor:pointer;user-select:none;padding:4px 8px;border-bottom:1px solid #d0d7de;white-space:nowrap}
.ct-table td{text-align:right;padding:2px 8px;border-bottom:1px solid #eaeef2;white-space:nowrap}
.ct-l{text-align:left}.ct-r{text-align:right}
.ct-focusable{cursor:pointer}.ct-focusable:hover{background:#ddf4ff}.ct-selected{background:#b6e3ff!important}
.ct-pos td{color:#1a7f37}.ct-neg td{color:#cf222e}
.ct-heatmap{border-collapse:collapse;font-size:12px;font-variant-numeric:tabular-nums}
.ct-heatmap th{padding:3px 8px;color:#57606a;font-weight:normal}
.ct-heatmap td{padding:3px 8px;text-align:right;min-width:56px;border:1px solid #fff}
.ct-notes p{margin:4px 0}.ct-notes ul{margin:4px 0;padding-left:20px}
.ct-toolbar{margin-bottom:6px;font-size:12px}
.ct-tooltip{position:absolute;display:none;pointer-events:none;z-index:10;background:rgba(255,255,255,.96);border:1px solid #8c959f;border-radius:4px;padding:6px 8px;font-size:12px;white-space:nowrap;box-shadow:0 2px 6px rgba(0,0,0,.15)}
`;
