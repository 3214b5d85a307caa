//! Accessibility measured in the real webview: axe-core injected through WebDriver (`axe_check`), and the
//! checks axe cannot make — the keyboard's Tab order and a visible focus (`tab_walk`), text contrast computed
//! from the computed colours (`contrast_check`), the applicant's language marked on screen (`lang_check`), and
//! the screen at 200 % zoom (`zoom_check`). Each check writes what it found per screen under
//! `$ARTIFACTS/a11y/` (one JSON file per screen and check, and `summary.md` rebuilt from all of them) and
//! panics on a failure, naming the screen and the element.
//!
//! axe-core is a test-only tool: the exact version is pinned in `tests/e2e/package.json` and its lock file,
//! installed by `npm ci` in `tests/e2e` (`make deps-test`), and read from `tests/e2e/node_modules`; it never
//! goes into `ui/` or the app's bundle. This module only observes the page: it must not change what the app
//! shows, except the zoom it sets and takes back, and it must not drive the app's flows (the tests do).
//!
//! `A11Y_REPORT_ONLY=1` records every finding without failing: how the "before" figures of
//! `assets/accessibility/a11y-before.md` were taken.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use serde_json::{json, Value};

use crate::{artifacts, App, Key};

/// The folder of the findings (created if missing).
pub fn a11y_dir() -> PathBuf {
    let dir = artifacts().join("a11y");
    fs::create_dir_all(&dir).expect("create the a11y artifacts folder");
    dir
}

fn slug(screen: &str) -> String {
    screen.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect()
}

fn axe_source() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("node_modules/axe-core/axe.min.js");
    fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("{} is missing ({e}): run `npm ci` in tests/e2e (make deps-test does)", path.display())
    })
}

/// The axe-core version the tests inject (from its package.json).
pub fn axe_version() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("node_modules/axe-core/package.json");
    let v: Value = serde_json::from_str(&fs::read_to_string(path).unwrap_or_default()).unwrap_or(Value::Null);
    v["version"].as_str().unwrap_or("?").to_string()
}

fn write_findings(screen: &str, check: &str, value: &Value) {
    let path = a11y_dir().join(format!("{}.{check}.json", slug(screen)));
    fs::write(&path, serde_json::to_string_pretty(value).unwrap()).expect("write the findings");
    write_summary();
}

/// Rebuilds `summary.md` from every `*.axe.json` and `*.checks.json` of the folder (so several test binaries
/// can add to it).
pub fn write_summary() {
    let dir = a11y_dir();
    let mut axe: BTreeMap<String, Value> = BTreeMap::new();
    let mut checks: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(v) = serde_json::from_str::<Value>(&fs::read_to_string(entry.path()).unwrap_or_default()) else {
            continue;
        };
        if name.ends_with(".axe.json") {
            axe.insert(v["screen"].as_str().unwrap_or(&name).to_string(), v);
        } else if let Some(check) = name.strip_suffix(".json").and_then(|n| n.rsplit('.').next()) {
            if check != "axe" {
                checks.entry(v["screen"].as_str().unwrap_or(&name).to_string()).or_default().push(v);
            }
        }
    }
    let mut md = format!(
        "# Accessibility findings per screen\n\naxe-core {} (rules: WCAG 2.0/2.1 A and AA, best practices), in the \
         app's webview (WebKitGTK) through WebDriver. Counts are violations (rules) / affected elements, by \
         impact.\n\n| screen | critical | serious | moderate | minor | rules failing | rules passed | to review by hand (axe \
         \"incomplete\": elements) |\n|---|---|---|---|---|---|---|---|\n",
        axe_version()
    );
    let mut totals = [0u64; 4];
    for (screen, v) in &axe {
        let mut cells = Vec::new();
        for (i, impact) in ["critical", "serious", "moderate", "minor"].iter().enumerate() {
            let rules = v["counts"][impact]["rules"].as_u64().unwrap_or(0);
            let nodes = v["counts"][impact]["nodes"].as_u64().unwrap_or(0);
            totals[i] += rules;
            cells.push(format!("{rules} / {nodes}"));
        }
        let ids: Vec<String> = v["violations"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| format!("{} ({})", r["id"].as_str().unwrap_or(""), r["impact"].as_str().unwrap_or("")))
            .collect();
        let review: Vec<String> = v["incomplete"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| format!("{} ({})", r["id"].as_str().unwrap_or(""), r["nodes"]))
            .collect();
        md += &format!(
            "| {screen} | {} | {} | {} | {} |\n",
            cells.join(" | "),
            ids.join(", "),
            v["passes"],
            review.join(", ")
        );
    }
    md += &format!("| **total rules** | {} | {} | {} | {} | | | |\n", totals[0], totals[1], totals[2], totals[3]);
    if !checks.is_empty() {
        md += "\n## What axe cannot see\n\n| screen | check | result |\n|---|---|---|\n";
        for (screen, list) in &checks {
            for v in list {
                md += &format!(
                    "| {screen} | {} | {} |\n",
                    v["check"].as_str().unwrap_or(""),
                    v["result"].as_str().unwrap_or("")
                );
            }
        }
    }
    fs::write(dir.join("summary.md"), md).expect("write summary.md");
}

/// Runs axe-core on the whole page as it is now, records its findings for `screen` and fails on any serious
/// or critical violation (unless `A11Y_REPORT_ONLY=1`). Returns the findings.
pub async fn axe_check(app: &App, screen: &str) -> Value {
    let loaded = app.js("return typeof window.axe === 'object';").await;
    if loaded != Value::Bool(true) {
        // The source defines window.axe (UMD without a module system); sent once per page, which the app
        // never reloads.
        let script = format!("{}\n;return typeof window.axe === 'object';", axe_source());
        let ok = app.client().execute(&script, vec![]).await.expect("inject axe-core");
        assert_eq!(ok, Value::Bool(true), "axe-core did not load in the webview");
    }
    let run = r#"const done = arguments[arguments.length - 1];
      axe.run(document, { runOnly: { type: 'tag',
          values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })
        .then((r) => done(JSON.stringify({ passes: r.passes.length, incomplete: r.incomplete.map((v) => ({ id: v.id,
            impact: v.impact, nodes: v.nodes.length })), violations: r.violations.map((v) => ({ id: v.id, impact: v.impact,
            help: v.help, tags: v.tags, nodes: v.nodes.map((n) => ({ target: n.target, html: n.html.slice(0, 300),
            summary: n.failureSummary })) })) })))
        .catch((e) => done(JSON.stringify({ error: String(e) })));"#;
    let raw = app.client().execute_async(run, vec![]).await.expect("run axe-core");
    let answer: Value = serde_json::from_str(raw.as_str().unwrap_or("null")).expect("axe's answer is JSON");
    assert!(answer.get("error").is_none(), "axe-core failed on {screen}: {answer}");
    let violations = answer["violations"].clone();
    // A run that checked nothing would pass anything: axe must have passed some rules on a real screen.
    assert!(answer["passes"].as_u64().unwrap_or(0) > 10, "axe-core checked almost nothing on {screen}: {answer}");
    let mut counts = json!({});
    for impact in ["critical", "serious", "moderate", "minor"] {
        let of: Vec<&Value> = violations.as_array().unwrap().iter().filter(|v| v["impact"] == impact).collect();
        let nodes: usize = of.iter().map(|v| v["nodes"].as_array().map_or(0, |n| n.len())).sum();
        counts[impact] = json!({ "rules": of.len(), "nodes": nodes });
    }
    let out = json!({ "screen": screen, "axe": axe_version(), "counts": counts, "passes": answer["passes"],
        "incomplete": answer["incomplete"], "violations": violations });
    write_findings(screen, "axe", &out);
    let bad: Vec<String> = violations
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["impact"] == "serious" || v["impact"] == "critical")
        .map(|v| {
            let targets: Vec<String> =
                v["nodes"].as_array().unwrap().iter().take(5).map(|n| n["target"].to_string()).collect();
            format!("{} ({}): {} — {}", v["id"], v["impact"], v["help"], targets.join(" "))
        })
        .collect();
    check(bad.is_empty(), || format!("axe-core finds serious or critical violations on {screen}:\n{}", bad.join("\n")));
    out
}

/// Fails with `msg` when `ok` is false, or only says so under `A11Y_REPORT_ONLY=1`.
fn check(ok: bool, msg: impl FnOnce() -> String) {
    if ok {
        return;
    }
    if std::env::var("A11Y_REPORT_ONLY").is_ok_and(|v| v == "1") {
        eprintln!("[a11y] (report only) {}", msg());
    } else {
        panic!("{}", msg());
    }
}

/// Records the outcome of a check on `screen` (`result`: one line for the summary; `detail`: everything).
pub fn record(screen: &str, check: &str, result: &str, detail: Value) {
    write_findings(
        &format!("{screen} {check}"),
        "checks",
        &json!({ "screen": screen, "check": check, "result": result, "detail": detail }),
    );
}

/// WCAG's relative luminance and contrast ratio, and the effective background of an element (its own and
/// its ancestors' background colours, composed; a background image is reported, not guessed).
const COLOUR_JS: &str = r#"
  const parse = (c) => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null;
    const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const over = (top, under) => { const a = top[3]; return [0, 1, 2].map((i) => top[i] * a + under[i] * (1 - a)).concat(1); };
  const background = (el) => { const layers = []; let image = false;
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) { const s = getComputedStyle(e);
      if (s.backgroundImage !== 'none' && !s.backgroundImage.startsWith('url(')) image = true;
      const c = parse(s.backgroundColor); if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; } }
    let bg = [255, 255, 255, 1]; for (const l of layers.reverse()) bg = over(l, bg); return { bg, image }; };
  const shown = (el) => { if (!el.getClientRects().length) return false; const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || Number(s.opacity) === 0) return false;
    const r = el.getBoundingClientRect(); return r.width > 1 && r.height > 1; };
  const describe = (el) => el.tagName.toLowerCase() + Array.from(el.attributes).filter((a) => a.name.startsWith('data-')
    || a.name === 'class' || a.name === 'name').map((a) => `[${a.name}${a.value ? `="${a.value.slice(0, 40)}"` : ''}]`).join('');
"#;

/// Every element with text of its own, shown on screen, whose text contrast is below 4.5:1 (3:1 for large
/// text: 24 px, or 18.66 px bold). Disabled controls are exempt (WCAG 1.4.3). `reveal`, if not empty, selects
/// elements to un-hide first (states hard to reach, such as the header's backup badge): they are shown for
/// the measure and hidden again.
pub async fn contrast_check(app: &App, screen: &str, reveal: &str) -> usize {
    let v = contrast_measure(app, reveal).await;
    let failing = v["failing"].as_array().cloned().unwrap_or_default();
    let checked = v["checked"].as_u64().unwrap_or(0);
    let result = format!("{checked} text elements, {} below 4.5:1 (3:1 large)", failing.len());
    record(screen, "contrast", &result, v.clone());
    assert!(checked > 0, "the contrast check on {screen} found no text at all");
    check(failing.is_empty(), || {
        format!("text contrast on {screen} is too low:\n{}", serde_json::to_string_pretty(&failing).unwrap())
    });
    checked as usize
}

/// `contrast_check`'s measure: `{ checked, failing: [{ element, text, color, background, ratio, need }] }`.
async fn contrast_measure(app: &App, reveal: &str) -> Value {
    let script = format!(
        r#"{COLOUR_JS}
        const revealed = Array.from(document.querySelectorAll({reveal})).filter((e) => e.hidden);
        revealed.forEach((e) => (e.hidden = false));
        const bad = [], images = []; let n = 0;
        for (const el of document.querySelectorAll('body *')) {{
          if (['SCRIPT', 'STYLE', 'OPTION', 'svg'].includes(el.tagName) || el.closest('svg')) continue;
          const own = Array.from(el.childNodes).some((c) => c.nodeType === 3 && c.textContent.trim());
          if (!own || !shown(el)) continue;
          if (el.closest(':disabled, [aria-disabled="true"]')) continue;
          const s = getComputedStyle(el);
          // visually-hidden text (clip 1px) is for screen readers: no colour to see
          if (s.clip === 'rect(0px, 0px, 0px, 0px)' || s.clipPath === 'inset(50%)') continue;
          n++;
          const {{ bg, image }} = background(el);
          const fg = over(parse(s.color), bg);
          const r = ratio(fg, bg);
          const size = parseFloat(s.fontSize), bold = Number(s.fontWeight) >= 700;
          const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
          if (image) {{ images.push(describe(el)); continue; }}
          if (r < need) bad.push({{ element: describe(el), text: el.textContent.trim().slice(0, 40),
            color: s.color, background: `rgb(${{bg.slice(0, 3).map(Math.round).join(', ')}})`, ratio: Math.round(r * 100) / 100, need }});
        }}
        revealed.forEach((e) => (e.hidden = true));
        return {{ checked: n, failing: bad, backgroundImages: images }};"#,
        reveal = json!(if reveal.is_empty() { "[data-none-revealed]" } else { reveal }),
    );
    app.js(&script).await
}

/// Tabs through the whole page from its start and checks that (a) every interactive control shown on screen
/// (links, buttons, fields, summaries, anything with a tab index ≥ 0; one per radio group) is reached by Tab,
/// and (b) each one reached shows a focus indicator: an outline of at least 2 px whose colour contrasts 3:1
/// with the background around the control (WCAG 1.4.11, 2.4.7). Returns how many controls it reached.
pub async fn tab_walk(app: &App, screen: &str) -> usize {
    let expected = app
        .js(&format!(
            r#"{COLOUR_JS}
            let i = 0; const ids = []; const groups = new Set();
            const sel = 'a[href], button, input, select, textarea, summary, [tabindex]';
            for (const el of document.querySelectorAll(sel)) {{
              delete el.dataset.a11yId;
              if (el.matches(':disabled') || el.tabIndex < 0 || el.type === 'hidden' || !shown(el)) continue;
              if (el.closest('[inert], details:not([open]) > :not(summary)')) continue;
              if (document.querySelector('dialog[open]') && !el.closest('dialog[open]')) continue;
              if (el.type === 'radio') {{ if (groups.has(el.name)) {{ el.dataset.a11yId = 'g-' + el.name; continue; }}
                groups.add(el.name); el.dataset.a11yId = 'g-' + el.name; ids.push({{ id: 'g-' + el.name, el: describe(el) }}); continue; }}
              el.dataset.a11yId = String(++i); ids.push({{ id: String(i), el: describe(el) }});
            }}
            document.activeElement?.blur();
            window.scrollTo(0, 0);
            return ids;"#
        ))
        .await;
    let expected = expected.as_array().cloned().unwrap_or_default();
    let probe = format!(
        r#"{COLOUR_JS}
        const el = document.activeElement;
        if (!el || el === document.body) return {{ id: null, el: 'body' }};
        const s = getComputedStyle(el);
        const width = parseFloat(s.outlineWidth) || 0;
        let ratioOk = false, outline = null;
        if (s.outlineStyle !== 'none' && width >= 2) {{
          const c = parse(s.outlineColor); const {{ bg }} = background(el.parentElement || el);
          outline = {{ color: s.outlineColor, width, ratio: Math.round(ratio(over(c, bg), bg) * 100) / 100,
            background: `rgb(${{bg.slice(0, 3).map(Math.round).join(', ')}})` }};
          ratioOk = outline.ratio >= 3;
        }}
        return {{ id: el.dataset.a11yId || null, el: describe(el), visible: el.matches(':focus-visible'), outline, ok: ratioOk }};"#
    );
    let mut reached: Vec<String> = Vec::new();
    let mut unseen_focus: Vec<Value> = Vec::new();
    let mut order: Vec<Value> = Vec::new();
    let mut first: Option<String> = None;
    // Round the page once; the bound only stops a walk that never comes back to its first stop. Stops that
    // are not among the counted controls (a control painted after the count, say) are kept as `unlisted`.
    let mut unlisted: Vec<Value> = Vec::new();
    for _ in 0..expected.len() * 2 + 20 {
        app.press(Key::Tab).await;
        let v = app.js(&probe).await;
        let Some(id) = v["id"].as_str().map(str::to_string) else {
            unlisted.push(v);
            continue;
        };
        if first.as_deref() == Some(id.as_str()) {
            break; // round the page once
        }
        first.get_or_insert(id.clone());
        if !v["ok"].as_bool().unwrap_or(false) {
            unseen_focus.push(v.clone());
        }
        order.push(v);
        reached.push(id);
    }
    let missed: Vec<&Value> =
        expected.iter().filter(|e| !reached.iter().any(|r| Some(r.as_str()) == e["id"].as_str())).collect();
    let result = format!(
        "{} controls, {} reached by Tab, {} without a visible focus",
        expected.len(),
        expected.len() - missed.len(),
        unseen_focus.len()
    );
    record(
        screen,
        "keyboard",
        &result,
        json!({ "expected": expected, "order": order, "missed": missed, "unlisted": unlisted }),
    );
    assert!(!expected.is_empty(), "no interactive control found on {screen}");
    check(missed.is_empty(), || format!("Tab never reaches these controls on {screen}: {}", json!(missed)));
    check(unseen_focus.is_empty(), || {
        format!(
            "these controls on {screen} show no visible focus (outline ≥ 2 px, 3:1 against the background):\n{}",
            serde_json::to_string_pretty(&unseen_focus).unwrap()
        )
    });
    reached.len()
}

/// Every text node on screen written in `script_re` (a JS regular expression source, e.g. Arabic letters)
/// sits inside an element carrying `lang` (the language tag) and `dir`.
pub async fn lang_check(app: &App, screen: &str, within: &str, script_re: &str, lang: &str, dir: &str) -> usize {
    let script = format!(
        r#"const re = new RegExp({re}); const out = {{ checked: 0, wrong: [] }};
        const root = document.querySelector({within}); if (!root) return null;
        const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let n = walk.nextNode(); n; n = walk.nextNode()) {{
          if (!re.test(n.textContent)) continue;
          out.checked++;
          const el = n.parentElement;
          const l = el.closest('[lang]')?.getAttribute('lang'), d = el.closest('[dir]')?.getAttribute('dir');
          if (l !== {lang} || d !== {dir}) out.wrong.push({{ text: n.textContent.trim().slice(0, 40), lang: l, dir: d,
            element: el.tagName.toLowerCase() + '.' + el.className }});
        }}
        return out;"#,
        re = json!(script_re),
        within = json!(within),
        lang = json!(lang),
        dir = json!(dir),
    );
    let v = app.js(&script).await;
    assert!(!v.is_null(), "{within} is not on screen for the language check on {screen}");
    let checked = v["checked"].as_u64().unwrap_or(0) as usize;
    let wrong = v["wrong"].as_array().cloned().unwrap_or_default();
    let result =
        format!("{checked} texts in the applicant's language, {} without lang=\"{lang}\" dir=\"{dir}\"", wrong.len());
    record(screen, "language", &result, v.clone());
    assert!(checked > 0, "no text in the applicant's language found in {within} on {screen}");
    check(wrong.is_empty(), || format!("applicant-language text on {screen} lacks lang/dir: {}", json!(wrong)));
    checked
}

/// The page at 200 % zoom, set as an operator sets it: Ctrl+= five times (the webview's zoom, 20 % a step;
/// `zoomHotkeysEnabled` in tauri.conf.json), so the 1200 px window becomes 600 CSS px wide and the layout's
/// breakpoints follow, as in a browser; Ctrl+0 takes it back. At 200 % the page does not scroll sideways, and every control shown is inside the window's
/// width, not clipped by a scrolling or hidden-overflow ancestor, and overlaps no other control and no text
/// (a sticky bar excepted), and `tab_walk` still reaches every control with a visible focus. The zoom is taken
/// back before returning.
pub async fn zoom_check(app: &App, screen: &str) -> usize {
    let width = app.js("return window.innerWidth;").await.as_f64().unwrap_or(0.0);
    set_zoom(app, 2.0, width).await;
    let script = format!(
        r#"{COLOUR_JS}
        // Boxes and the window in CSS pixels (k = 1 under the webview's zoom; k converts should a CSS `zoom` be
        // used instead, whose boxes WebKitGTK reports unscaled). Measured at the top of the page.
        window.scrollTo(0, 0);
        const k = window.innerWidth / document.documentElement.getBoundingClientRect().width;
        const doc = document.scrollingElement;
        const out = {{ scale: k, scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, controls: 0, texts: 0, problems: [] }};
        if (doc.scrollWidth > doc.clientWidth + 1) {{
          // Name the culprits: the innermost elements that reach past the window.
          const wide = Array.from(document.querySelectorAll('body *')).filter((e) => shown(e)
            && e.getBoundingClientRect().right * k > window.innerWidth + 1)
            .filter((e, _, all) => !all.some((o) => o !== e && e.contains(o))).slice(0, 8).map(describe);
          out.problems.push({{ problem: 'the page scrolls sideways', scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, wide }});
        }}
        const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
        const dialog = document.querySelector('dialog[open]');
        const inScope = (el) => !el.closest('details:not([open]) > :not(summary)') && shown(el) && (!dialog || el.closest('dialog[open]'));
        // A sticky or fixed bar (the form's save bar) lies over the page by design and scrolls away from
        // what it covers: it is left out of the overlap test.
        const pinned = (el) => {{ for (let a = el; a && a.nodeType === 1; a = a.parentElement) {{
          const p = getComputedStyle(a).position; if (p === 'sticky' || p === 'fixed') return true; }} return false; }};
        const controls = Array.from(document.querySelectorAll(sel)).filter(inScope);
        const texts = Array.from(document.querySelectorAll('body *')).filter((el) => !el.matches(sel) && !el.closest(sel)
          && Array.from(el.childNodes).some((c) => c.nodeType === 3 && c.textContent.trim()) && inScope(el));
        out.controls = controls.length; out.texts = texts.length;
        const boxes = new Map();
        const idx = new Map(controls.map((c, i) => [c, i])), isPinned = new Map();
        for (const el of controls.concat(texts)) {{ boxes.set(el, el.getBoundingClientRect()); isPinned.set(el, pinned(el)); }}
        const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 2
          && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 2;
        for (const el of controls) {{
          const r = boxes.get(el);
          if (r.right * k > window.innerWidth + 1 || r.left < -1) {{
            out.problems.push({{ problem: 'outside the window', element: describe(el), left: r.left * k, right: r.right * k, width: window.innerWidth }}); continue; }}
          let clipped = null;
          for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {{
            const s = getComputedStyle(a);
            if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
            const b = a.getBoundingClientRect();
            if (r.left < b.left - 1 || r.right > b.right + 1 || r.top < b.top - 1 || r.bottom > b.bottom + 1) {{ clipped = describe(a); break; }}
          }}
          if (clipped) {{ out.problems.push({{ problem: 'clipped', element: describe(el), by: clipped }}); continue; }}
          if (isPinned.get(el)) continue;
          for (const other of controls.concat(texts)) {{
            if (other === el || isPinned.get(other) || !overlap(r, boxes.get(other)) || other.contains(el) || el.contains(other)) continue;
            if (el.labels && Array.from(el.labels).some((l) => l === other || l.contains(other) || other.contains(l))) continue;
            if (idx.has(other) && idx.get(other) < idx.get(el)) continue; // each pair once
            out.problems.push({{ problem: 'overlaps', element: describe(el), other: describe(other) }});
          }}
        }}
        window.scrollTo(0, 0);
        return out;"#
    );
    let v = app.js(&script).await;
    // Every action still reachable, and its focus still seen, at 200 %.
    let reached = tab_walk(app, &format!("{screen} at 200 %")).await;
    app.chord(Key::Control, '0').await;
    set_zoom(app, 1.0, width).await;
    let problems = v["problems"].as_array().cloned().unwrap_or_default();
    let controls = v["controls"].as_u64().unwrap_or(0) as usize;
    let result = format!("{controls} controls at 200 %, {} problems", problems.len());
    record(screen, "zoom 200%", &result, v.clone());
    assert!(controls > 0, "no control found at 200 % on {screen}");
    check(problems.is_empty(), || {
        format!("at 200 % zoom on {screen}:\n{}", serde_json::to_string_pretty(&problems).unwrap())
    });
    assert!(reached > 0, "Tab reached nothing at 200 % on {screen}");
    controls
}

/// Proves the instruments: a missing alternative text and grey-on-grey text put on the page must come back
/// from axe-core as violations (`image-alt`, `color-contrast`) and from `contrast_check`'s measure; the probes
/// are removed again. Returns what found them: axe's rule ids, and `contrast_check`.
pub async fn axe_self_test(app: &App) -> Vec<String> {
    axe_check_rules(app, &[]).await;
    app.js("const box = document.createElement('div'); box.dataset.a11yProbe = '';
         box.innerHTML = '<img src=\"data:image/gif;base64,R0lGODlhAQABAAAAACw=\" width=\"20\" height=\"20\">'
           + '<p>testo di prova</p>';
         // The app's CSP refuses style attributes; the CSSOM is allowed.
         Object.assign(box.querySelector('p').style, { color: '#aaa', background: '#bbb', fontSize: '16px' });
         document.querySelector('[data-main]').prepend(box); return true;")
        .await;
    let mut found = axe_check_rules(app, &["image-alt", "color-contrast"]).await;
    // And this module's own contrast measure (#aaa on #bbb is 1.3:1).
    let ours = contrast_measure(app, "").await;
    if ours["failing"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|f| f["text"] == "testo di prova" && f["ratio"].as_f64() < Some(1.5))
    {
        found.push("contrast_check".into());
    }
    app.js("document.querySelector('[data-a11y-probe]').remove(); return true;").await;
    found
}

/// axe-core with only `rules`, on the probes; the ids of the violations.
async fn axe_check_rules(app: &App, rules: &[&str]) -> Vec<String> {
    if app.js("return typeof window.axe === 'object';").await != Value::Bool(true) {
        let script = format!("{}\n;return typeof window.axe === 'object';", axe_source());
        app.client().execute(&script, vec![]).await.expect("inject axe-core");
    }
    if rules.is_empty() {
        return Vec::new();
    }
    let run = format!(
        "const done = arguments[arguments.length - 1];
         axe.run(document.querySelector('[data-a11y-probe]'), {{ runOnly: {{ type: 'rule', values: {} }} }})
           .then((r) => done(r.violations.map((v) => v.id))).catch((e) => done(['error: ' + e]));",
        json!(rules)
    );
    let v = app.client().execute_async(&run, vec![]).await.expect("run axe-core on the probes");
    v.as_array().into_iter().flatten().filter_map(|x| x.as_str().map(str::to_string)).collect()
}

/// Presses Ctrl+= (or Ctrl+0 for `factor` 1) until the page's CSS width is the window's `width` / `factor`.
async fn set_zoom(app: &App, factor: f64, width: f64) {
    let want = width / factor;
    let expr = format!("Math.abs(window.innerWidth - {want}) < 2");
    if factor > 1.0 {
        for _ in 0..((factor - 1.0) / 0.2).round() as usize {
            app.chord(Key::Control, '=').await;
        }
    }
    app.wait_js(&expr, &format!("the page {want} CSS px wide at {} % zoom", factor * 100.0)).await;
    // Let layout settle (a resize observer, a late render).
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
}
