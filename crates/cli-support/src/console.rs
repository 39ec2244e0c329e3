//! The process's output mode (text or `--json`) and the side messages a command
//! prints while it runs (progress, "listening on", the problems of a package),
//! so that with `--json` every line on standard error is JSON too.

use std::io::Write as _;
use std::sync::OnceLock;

use serde_json::{Map, Value};

struct Mode {
    tool: &'static str,
    json: bool,
}

static MODE: OnceLock<Mode> = OnceLock::new();

/// Sets the tool's name and mode for the rest of the process. The first call
/// wins; [`crate::main`] makes it before anything is printed.
pub fn init(tool: &'static str, json: bool) {
    let _ = MODE.set(Mode { tool, json });
}

/// Whether `--json` is in force.
#[must_use]
pub fn json() -> bool {
    MODE.get().is_some_and(|m| m.json)
}

/// The tool's name (`hague`, `firmadoc`), as printed before messages.
#[must_use]
pub fn tool() -> &'static str {
    MODE.get().map_or("tool", |m| m.tool)
}

/// Prints a side message to standard error: `tool: <human>` as text, or with
/// `--json` one line `{"note":"<kind>","message":"<human>", ...fields}`.
/// `fields` is a JSON object (other values are ignored).
pub fn note(kind: &str, human: &str, fields: Value) {
    let line = note_line(json(), tool(), kind, human, fields);
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(line.as_bytes());
    let _ = err.flush();
}

/// The line [`note`] prints, in the given mode.
#[must_use]
pub fn note_line(json: bool, tool: &str, kind: &str, human: &str, fields: Value) -> String {
    if !json {
        return format!("{tool}: {human}\n");
    }
    let mut object = Map::new();
    object.insert("note".into(), kind.into());
    object.insert("message".into(), human.into());
    if let Value::Object(extra) = fields {
        object.extend(extra);
    }
    format!("{}\n", Value::Object(object))
}

/// Warnings of the libraries (`tracing` events at WARN and above), printed on
/// standard error as `tool: warning: message` or, with `--json`,
/// `{"note":"warning","message":"...","fields":{...}}`.
pub(crate) mod logging {
    use std::fmt;

    use serde_json::{Map, Value};
    use tracing::field::{Field, Visit};
    use tracing::{Event, Level, Subscriber};
    use tracing_subscriber::layer::{Context, Layer};

    #[derive(Default)]
    struct Fields {
        message: String,
        others: Map<String, Value>,
    }

    impl Visit for Fields {
        fn record_str(&mut self, field: &Field, value: &str) {
            if field.name() == "message" {
                value.clone_into(&mut self.message);
            } else {
                self.others.insert(field.name().to_owned(), value.into());
            }
        }

        fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
            let text = format!("{value:?}");
            if field.name() == "message" {
                self.message = text;
            } else {
                self.others.insert(field.name().to_owned(), text.into());
            }
        }
    }

    /// The layer both tools install.
    pub(crate) struct WarningLayer;

    impl<S: Subscriber> Layer<S> for WarningLayer {
        fn enabled(&self, metadata: &tracing::Metadata<'_>, _ctx: Context<'_, S>) -> bool {
            *metadata.level() <= Level::WARN
        }

        fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
            if *event.metadata().level() > Level::WARN {
                return;
            }
            let mut fields = Fields::default();
            event.record(&mut fields);
            let level = if *event.metadata().level() == Level::ERROR {
                "error"
            } else {
                "warning"
            };
            let human = if fields.others.is_empty() {
                format!("{level}: {}", fields.message)
            } else {
                let extra: Vec<String> = fields
                    .others
                    .iter()
                    .map(|(k, v)| match v {
                        Value::String(s) => format!("{k}={s}"),
                        other => format!("{k}={other}"),
                    })
                    .collect();
                format!("{level}: {} ({})", fields.message, extra.join(", "))
            };
            let extra =
                serde_json::json!({ "level": level, "fields": Value::Object(fields.others) });
            if super::json() {
                super::note("warning", &fields.message, extra);
            } else {
                super::note("warning", &human, extra);
            }
        }
    }

    /// Installs the layer as the process's subscriber (once).
    pub(crate) fn init() {
        use tracing_subscriber::layer::SubscriberExt as _;
        use tracing_subscriber::util::SubscriberInitExt as _;
        let _ = tracing_subscriber::registry().with(WarningLayer).try_init();
    }
}
