//! Loading the catalogue: the procedure files parsed and checked against the reference tables, the fee
//! tables and the checklist texts, every problem with its file and line; and reading a checklist locale
//! file with its line numbers. It must not resolve a procedure for a case (that is `resolve`).

use super::*;

impl Catalogue {
    /// Loads and validates procedure files against the given locales (`[it, en]`), reference tables
    /// and fee tables. The first problem found is returned with its file and line.
    pub fn load(
        sources: &[(&str, &str)],
        locales: [(&str, &str); 2],
        reference: &Reference,
        fees: &FeeTables,
    ) -> Result<Catalogue> {
        Catalogue::load_with_hosts(sources, locales, reference, fees, OfficialHosts::bundled()?)
    }

    /// `load`, with the table of official hosts the caller read (a content pack carries its own).
    pub(crate) fn load_with_hosts(
        sources: &[(&str, &str)],
        locales: [(&str, &str); 2],
        reference: &Reference,
        fees: &FeeTables,
        hosts: OfficialHosts,
    ) -> Result<Catalogue> {
        let texts = Texts::load(locales)?;
        let context = Context {
            texts: &texts,
            reference,
            hosts: &hosts,
        };
        texts.require(locales[0].0, QUALIFIER_IF_WORKING, 0, false)?;
        check_fee_tables(fees, reference, &texts)?;

        let mut parsed = Vec::new();
        for &source in sources {
            parsed.push((source, parse_toml::<RawFile>(source)?));
        }

        // Groups first: procedures in any file may include them.
        let mut groups: HashMap<String, (Group, GroupVariants)> = HashMap::new();
        for (source, file) in &mut parsed {
            for g in std::mem::take(&mut file.group) {
                let id = g.id.get_ref().clone();
                check_id(*source, &g.id)?;
                if groups.contains_key(&id) {
                    return Err(data_error(
                        *source,
                        g.id.span(),
                        format!("duplicate group id {id}"),
                    ));
                }
                if g.document.is_empty() && g.note.is_empty() {
                    return Err(data_error(
                        *source,
                        g.id.span(),
                        format!("group {id} has no lines"),
                    ));
                }
                let mut uses = Vec::new();
                let documents = rows(*source, g.document, &context, &mut uses)?;
                let notes = rows(*source, g.note, &context, &mut uses)?;
                let variants = GroupVariants {
                    file: source.0.to_string(),
                    uses,
                };
                groups.insert(
                    id.clone(),
                    (
                        Group {
                            id,
                            documents,
                            notes,
                        },
                        variants,
                    ),
                );
            }
        }

        let mut procedures: Vec<Procedure> = Vec::new();
        let mut index = HashMap::new();
        for (source, file) in parsed {
            for p in file.procedure {
                if index.contains_key(p.id.get_ref()) {
                    let message = format!("duplicate procedure id {}", p.id.get_ref());
                    return Err(data_error(source, p.id.span(), message));
                }
                let procedure = procedure(source, p, &context, fees, &groups)?;
                index.insert(procedure.id.clone(), procedures.len());
                procedures.push(procedure);
            }
        }
        Ok(Catalogue {
            procedures,
            groups: groups.into_iter().map(|(id, (g, _))| (id, g)).collect(),
            index,
            hosts,
        })
    }
}

// --------------------------------------------------------------------------------- validation

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    group: Vec<RawGroup>,
    #[serde(default)]
    procedure: Vec<RawProcedure>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    id: Spanned<String>,
    #[serde(default)]
    document: Vec<RawRow>,
    #[serde(default)]
    note: Vec<RawRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProcedure {
    id: Spanned<String>,
    title: Spanned<String>,
    #[serde(default)]
    request: Option<Spanned<String>>,
    #[serde(default)]
    motivo: Option<Spanned<String>>,
    channel: Spanned<String>,
    moduli: Vec<Spanned<String>>,
    #[serde(default)]
    variants: Vec<Spanned<String>>,
    #[serde(default)]
    variant_required: Option<Spanned<bool>>,
    income: Income,
    #[serde(default)]
    income_when: Option<Spanned<String>>,
    fees: Vec<Spanned<String>>,
    #[serde(default)]
    contribution_band: Option<Spanned<String>>,
    #[serde(default)]
    include: Vec<Spanned<String>>,
    source: Spanned<String>,
    #[serde(default)]
    source_date: Option<NaiveDate>,
    checked_on: Spanned<String>,
    #[serde(default)]
    envelope: bool,
    #[serde(default)]
    verify: bool,
    /// For maintainers, never printed (`note` is the array of printed note rows).
    #[serde(default)]
    maintainer_note: Option<String>,
    #[serde(default)]
    document: Vec<RawRow>,
    #[serde(default)]
    note: Vec<RawRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRow {
    text: Spanned<String>,
    #[serde(default)]
    when: Option<Spanned<String>>,
    source: Spanned<String>,
    #[serde(default)]
    source_date: Option<NaiveDate>,
    read_on: Spanned<String>,
    #[serde(default)]
    verify: bool,
    #[serde(default)]
    note: Option<String>,
}

/// What rows and procedures are checked against.
struct Context<'a> {
    texts: &'a Texts,
    reference: &'a Reference,
    hosts: &'a OfficialHosts,
}

/// The variant conditions used by a group's lines: every procedure including the group must offer them.
struct GroupVariants {
    file: String,
    /// (variant id, line)
    uses: Vec<(String, usize)>,
}

type Source<'a> = (&'a str, &'a str);

/// Ids are snake_case ASCII: they are stable keys stored with cases and used in text keys.
fn check_id(source: Source, id: &Spanned<String>) -> Result<()> {
    let s = id.get_ref();
    let ok = s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(data_error(
            source,
            id.span(),
            format!("id must be snake_case: {s}"),
        ))
    }
}

/// Checks and converts document or note rows; records the variants their conditions name.
fn rows(
    source: Source,
    raw: Vec<RawRow>,
    context: &Context,
    variant_uses: &mut Vec<(String, usize)>,
) -> Result<Vec<Row>> {
    let mut out = Vec::new();
    for r in raw {
        let when = match &r.when {
            None => Condition::Always,
            Some(w) => Condition::parse(w.get_ref()).ok_or_else(|| {
                data_error(
                    source,
                    w.span(),
                    format!("unknown condition {}", w.get_ref()),
                )
            })?,
        };
        if let Some(v) = when.variant() {
            let at = r.when.as_ref().map_or(r.text.span(), |w| w.span());
            variant_uses.push((v.to_string(), line_of(source.1, at.start)));
        }
        if let Some(code) = when
            .motivi()
            .iter()
            .find(|c| context.reference.motivo(c).is_none())
        {
            let at = r.when.as_ref().map_or(r.text.span(), |w| w.span());
            return Err(data_error(
                source,
                at,
                format!("unknown motivo {code} in a condition"),
            ));
        }
        let line = line_of(source.1, r.text.span().start);
        context
            .texts
            .require(source.0, r.text.get_ref(), line, when.per_person())?;
        check_source(source, &r.source)?;
        let read = read_on(source, &r.read_on)?;
        out.push(Row {
            text: r.text.into_inner(),
            when,
            official: context.hosts.is_official(r.source.get_ref()),
            source: r.source.into_inner(),
            source_date: r.source_date,
            read_on: read,
            verify: r.verify,
            note: r.note,
        });
    }
    Ok(out)
}

fn procedure(
    source: Source,
    p: RawProcedure,
    context: &Context,
    fees: &FeeTables,
    groups: &HashMap<String, (Group, GroupVariants)>,
) -> Result<Procedure> {
    let (texts, reference) = (context.texts, context.reference);
    let id = p.id.get_ref().clone();
    let at = |span: std::ops::Range<usize>, message: String| data_error(source, span, message);
    let line = |span: std::ops::Range<usize>| line_of(source.1, span.start);
    check_id(source, &p.id)?;
    texts.require(source.0, p.title.get_ref(), line(p.title.span()), false)?;

    let channel = p.channel.get_ref().as_str();
    if !CHANNELS.contains(&channel) {
        return Err(at(p.channel.span(), format!("unknown channel {channel}")));
    }
    if let Some(request) = &p.request {
        if !PROCEDURES.contains(&request.get_ref().as_str()) {
            return Err(at(
                request.span(),
                format!("unknown request {}", request.get_ref()),
            ));
        }
    }
    if let Some(motivo) = &p.motivo {
        let code = motivo.get_ref();
        let Some(m) = reference.motivo(code) else {
            return Err(at(motivo.span(), format!("unknown motivo {code}")));
        };
        if matches!(channel, "kit" | "questura") && m.channel != channel {
            return Err(at(
                motivo.span(),
                format!("motivo {code} is filed by {}, not {channel}", m.channel),
            ));
        }
        if let Some(request) = &p.request {
            if !m.allows(request.get_ref()) {
                return Err(at(
                    request.span(),
                    format!("motivo {code} does not allow {}", request.get_ref()),
                ));
            }
        }
    }

    let mut moduli = Vec::new();
    for m in &p.moduli {
        if !MODULI.contains(&m.get_ref().as_str()) || moduli.contains(m.get_ref()) {
            return Err(at(
                m.span(),
                format!("modulo must be \"1\" or \"2\", once: {}", m.get_ref()),
            ));
        }
        moduli.push(m.get_ref().clone());
    }
    if channel == "kit" && !moduli.iter().any(|m| m == "1") {
        return Err(at(p.channel.span(), "a kit procedure has Modulo 1".into()));
    }
    if channel != "kit" && !moduli.is_empty() {
        return Err(at(
            p.channel.span(),
            "moduli are for kit procedures only".into(),
        ));
    }

    let mut variants: Vec<String> = Vec::new();
    for v in &p.variants {
        check_id(source, v)?;
        if variants.contains(v.get_ref()) {
            return Err(at(v.span(), format!("duplicate variant {}", v.get_ref())));
        }
        texts.require(
            source.0,
            &format!("variant.{}", v.get_ref()),
            line(v.span()),
            false,
        )?;
        variants.push(v.get_ref().clone());
    }
    let variant_required = p.variant_required.as_ref().is_some_and(|r| *r.get_ref());
    if let Some(r) = p.variant_required.as_ref().filter(|r| *r.get_ref()) {
        if variants.is_empty() {
            return Err(at(r.span(), "variant_required without variants".into()));
        }
    }

    let mut fee_ids: Vec<String> = Vec::new();
    let mut banded = None;
    for f in &p.fees {
        let Some(fee) = fees.fee(f.get_ref()) else {
            return Err(at(f.span(), format!("unknown fee {}", f.get_ref())));
        };
        if fee_ids.contains(f.get_ref()) {
            return Err(at(f.span(), format!("fee {} listed twice", f.get_ref())));
        }
        if fee.per == Per::Envelope && channel != "kit" && !p.envelope {
            return Err(at(
                f.span(),
                format!(
                    "fee {} is per envelope: kit procedures (or envelope = true) only",
                    f.get_ref()
                ),
            ));
        }
        if !fee.bands.is_empty() {
            if banded.is_some() {
                return Err(at(f.span(), "at most one banded fee per procedure".into()));
            }
            banded = Some(fee);
        }
        fee_ids.push(f.get_ref().clone());
    }
    match (&p.contribution_band, banded) {
        (Some(band), Some(fee)) if fee.band(band.get_ref()).is_none() => {
            return Err(at(
                band.span(),
                format!("fee {} has no band {}", fee.id, band.get_ref()),
            ));
        }
        (Some(band), None) => {
            return Err(at(
                band.span(),
                "contribution_band without a banded fee".into(),
            ));
        }
        (None, Some(fee)) => {
            return Err(at(
                p.id.span(),
                format!("fee {} needs a contribution_band", fee.id),
            ));
        }
        _ => {}
    }

    let mut include: Vec<String> = Vec::new();
    for g in &p.include {
        let Some((_, uses)) = groups.get(g.get_ref()) else {
            return Err(at(g.span(), format!("unknown group {}", g.get_ref())));
        };
        if include.contains(g.get_ref()) {
            return Err(at(
                g.span(),
                format!("group {} included twice", g.get_ref()),
            ));
        }
        // A group's variant line must make sense for every procedure that includes it.
        if let Some((v, at_line)) = uses.uses.iter().find(|(v, _)| !variants.contains(v)) {
            return Err(Error::Data {
                file: uses.file.clone(),
                line: *at_line,
                message: format!(
                    "group {} names variant {v}, which procedure {id} does not offer",
                    g.get_ref()
                ),
            });
        }
        include.push(g.get_ref().clone());
    }

    let income_when = match &p.income_when {
        None => None,
        Some(w) => {
            let when = Condition::parse(w.get_ref())
                .filter(|c| {
                    !c.per_person() && c.variant().is_none_or(|v| variants.iter().any(|x| x == v))
                })
                .ok_or_else(|| {
                    at(
                        w.span(),
                        format!("unknown or per-person condition {}", w.get_ref()),
                    )
                })?;
            if let Some(code) = when.motivi().iter().find(|c| reference.motivo(c).is_none()) {
                return Err(at(
                    w.span(),
                    format!("unknown motivo {code} in a condition"),
                ));
            }
            if p.income == Income::NoRequirement {
                return Err(at(
                    w.span(),
                    "income_when without an income requirement".into(),
                ));
            }
            Some(when)
        }
    };
    check_source(source, &p.source)?;
    let checked_on = read_on(source, &p.checked_on)?;
    let mut uses = Vec::new();
    let documents = rows(source, p.document, context, &mut uses)?;
    let notes = rows(source, p.note, context, &mut uses)?;
    if let Some((v, at_line)) = uses.iter().find(|(v, _)| !variants.contains(v)) {
        return Err(Error::Data {
            file: source.0.to_string(),
            line: *at_line,
            message: format!("procedure {id} has no variant {v}"),
        });
    }
    if documents.is_empty() && notes.is_empty() && include.is_empty() {
        return Err(at(p.id.span(), format!("procedure {id} has no lines")));
    }

    Ok(Procedure {
        id,
        title: p.title.into_inner(),
        request: p.request.map(Spanned::into_inner),
        motivo: p.motivo.map(Spanned::into_inner),
        channel: channel.to_string(),
        moduli,
        variants,
        variant_required,
        income: p.income,
        income_when,
        fees: fee_ids,
        contribution_band: p.contribution_band.map(Spanned::into_inner),
        include,
        source: p.source.into_inner(),
        source_date: p.source_date,
        checked_on,
        envelope: p.envelope,
        verify: p.verify,
        maintainer_note: p.maintainer_note,
        documents,
        notes,
        file: source.0.to_string(),
    })
}

/// The fee tables' cross-references: exempt motivi exist, text keys are translated.
fn check_fee_tables(fees: &FeeTables, reference: &Reference, texts: &Texts) -> Result<()> {
    let (file, keys) = fees.text_keys();
    for (key, line) in keys {
        texts.require(file, key, *line, false)?;
    }
    for fee in &fees.fees {
        for e in &fee.exempt {
            if let Some(code) = e
                .motivo
                .iter()
                .chain(&e.current_motivo)
                .find(|c| reference.motivo(c).is_none())
            {
                return Err(Error::Data {
                    file: file.to_string(),
                    line: e.line,
                    message: format!("fee {}: unknown motivo {code} in an exempt row", fee.id),
                });
            }
        }
    }
    Ok(())
}

// ------------------------------------------------------------------------------------ locales

/// One locale file: full key → (text, line).
pub type Strings = HashMap<String, (String, usize)>;

/// The checklist texts of the two reference languages, with their file names.
struct Texts {
    files: [(String, Strings); 2],
}

impl Texts {
    fn load(locales: [(&str, &str); 2]) -> Result<Texts> {
        let [a, b] =
            locales.map(|source| parse_locale(source).map(|map| (source.0.to_string(), map)));
        let files = [a?, b?];
        // Same keys and the same placeholders in both files: translators work from these two.
        for (this, other) in [(&files[0], &files[1]), (&files[1], &files[0])] {
            let mut keys: Vec<_> = this.1.iter().collect();
            keys.sort_by_key(|(_, (_, line))| *line);
            for (key, (text, line)) in keys {
                let Some((other_text, _)) = other.1.get(key) else {
                    return Err(Error::Data {
                        file: this.0.clone(),
                        line: *line,
                        message: format!("{key} is missing from {}", other.0),
                    });
                };
                if placeholders(text) != placeholders(other_text) {
                    return Err(Error::Data {
                        file: this.0.clone(),
                        line: *line,
                        message: format!("{key}: placeholders differ from {}", other.0),
                    });
                }
            }
        }
        Ok(Texts { files })
    }

    /// `key` (without the `checklist.` prefix), used at `file:line`, must be in both languages, with
    /// `%{name}` if the line is printed per person and with no placeholder otherwise.
    fn require(&self, file: &str, key: &str, line: usize, per_person: bool) -> Result<()> {
        let full = format!("{KEY_PREFIX}{key}");
        for (locale, map) in &self.files {
            let bad = |message: String| Error::Data {
                file: file.to_string(),
                line,
                message,
            };
            let Some((text, _)) = map.get(&full) else {
                return Err(bad(format!("text key {key} is missing from {locale}")));
            };
            let found = placeholders(text);
            let expected: BTreeSet<&str> = if per_person {
                BTreeSet::from(["name"])
            } else {
                BTreeSet::new()
            };
            if found != expected {
                return Err(bad(format!(
                    "text {key} in {locale} must have the placeholders {expected:?}, has {found:?}"
                )));
            }
        }
        Ok(())
    }
}

/// The `%{name}` placeholders of a text.
pub(crate) fn placeholders(text: &str) -> BTreeSet<&str> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("%{") {
        rest = &rest[at + 2..];
        if let Some(end) = rest.find('}') {
            found.insert(&rest[..end]);
            rest = &rest[end + 1..];
        }
    }
    found
}

/// Reads a locale file into `full key → (text, line)` with yaml-rust2's event parser, which keeps the line
/// of every scalar (a tree loader would lose it). Texts must be strings in nested mappings; a sequence,
/// an alias, a duplicate key or a YAML syntax error is reported with file and line.
pub fn parse_locale((file, text): (&str, &str)) -> Result<Strings> {
    use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
    use yaml_rust2::scanner::Marker;

    struct Flatten {
        /// Open mappings: the key each was opened under (none for the root).
        path: Vec<Option<String>>,
        /// A key read, waiting for its value.
        pending: Option<String>,
        out: Strings,
        problem: Option<(usize, String)>,
    }
    impl Flatten {
        fn full(&self, key: &str) -> String {
            let mut parts: Vec<&str> = self.path.iter().flatten().map(String::as_str).collect();
            parts.push(key);
            parts.join(".")
        }
        fn fail(&mut self, line: usize, message: String) {
            self.problem.get_or_insert((line, message));
        }
    }
    impl MarkedEventReceiver for Flatten {
        fn on_event(&mut self, event: Event, mark: Marker) {
            let line = mark.line();
            match event {
                Event::MappingStart(..) => {
                    let key = self.pending.take();
                    if let Some(key) = &key {
                        let full = self.full(key);
                        if self
                            .out
                            .keys()
                            .any(|k| k == &full || k.starts_with(&format!("{full}.")))
                        {
                            self.fail(line, format!("duplicate key {full}"));
                        }
                    }
                    self.path.push(key);
                }
                Event::MappingEnd => {
                    self.path.pop();
                }
                Event::Scalar(value, ..) => match self.pending.take() {
                    None => self.pending = Some(value),
                    Some(key) => {
                        let full = self.full(&key);
                        if self.out.insert(full.clone(), (value, line)).is_some() {
                            self.fail(line, format!("duplicate key {full}"));
                        }
                    }
                },
                Event::SequenceStart(..) | Event::Alias(..) => {
                    self.fail(line, "texts are plain strings in nested keys".to_string())
                }
                _ => {}
            }
        }
    }

    let mut flatten = Flatten {
        path: Vec::new(),
        pending: None,
        out: Strings::new(),
        problem: None,
    };
    let bad = |line: usize, message: String| Error::Data {
        file: file.to_string(),
        line,
        message,
    };
    Parser::new_from_str(text)
        .load(&mut flatten, false)
        .map_err(|e| bad(e.marker().line(), e.info().to_string()))?;
    match flatten.problem {
        Some((line, message)) => Err(bad(line, message)),
        None => Ok(flatten.out),
    }
}
