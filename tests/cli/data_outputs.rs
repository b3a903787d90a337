//! report.xlsx and trials.parquet read back by readers that share no code with their writers:
//! calamine for the workbook; for the Parquet file the `parquet` crate's record reader (the
//! writer uses its low-level column writer: the same crate, a different code path) and, where
//! python3 has pyarrow, pyarrow as well.

use std::fs;
use std::path::Path;

use calamine::{Data, Range, Reader, Xlsx, open_workbook};
use parquet::basic::{LogicalType, Type as PhysicalType};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use tempfile::TempDir;

use super::{funding_gap, funding_gap_in};

/// Runs `scenario` into `dir` with `extra` options, without charts.
fn run(scenario: &str, dir: &Path, trials: &str, extra: &[&str]) {
    let d = dir.display().to_string();
    let mut args = vec![
        "run", scenario, "--out", &d, "--trials", trials, "--charts", "none", "-q",
    ];
    args.extend_from_slice(extra);
    let out = funding_gap(&args);
    assert_eq!(out.code, Some(0), "{}", out.dump());
}

fn json(path: &Path) -> serde_json::Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("list the folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn f64_of(v: &serde_json::Value, what: &str) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("{what} is not a number: {v}"))
}

/// Asserts that a cell holds the number summary.json has. Both files print the same shortest
/// digits, but serde_json's default parser (no `float_roundtrip`) may land one ulp off, so
/// "the same" is within 2 ulps.
#[track_caller]
fn same(cell: f64, json: f64, what: &str) {
    assert!(
        (cell - json).abs() <= 2.0 * f64::EPSILON * cell.abs().max(json.abs()),
        "{what}: the workbook has {cell}, summary.json {json}"
    );
}

/// A sheet of the workbook.
fn sheet(book: &mut Xlsx<std::io::BufReader<fs::File>>, name: &str) -> Range<Data> {
    book.worksheet_range(name)
        .unwrap_or_else(|e| panic!("sheet {name}: {e}"))
}

/// The number in a cell, which must be a number cell (not text).
fn number(r: &Range<Data>, row: usize, col: usize, what: &str) -> f64 {
    match r.get((row, col)) {
        Some(Data::Float(x)) => *x,
        Some(Data::Int(x)) => *x as f64,
        other => panic!("{what} (row {row}, column {col}) is not a number cell: {other:?}"),
    }
}

/// The row of `r` whose first cell is the text `label`.
fn row_labelled(r: &Range<Data>, label: &str) -> usize {
    (0..r.height())
        .find(|&i| matches!(r.get((i, 0)), Some(Data::String(s)) if s == label))
        .unwrap_or_else(|| panic!("no row labelled {label:?}"))
}

#[test]
fn the_workbook_holds_summary_json_as_numbers_on_its_sheets() {
    let tmp = TempDir::new().expect("temp dir");
    let dir = tmp.path().join("base");
    run("base", &dir, "3000", &["--seed", "7"]);
    let m = json(&dir.join("manifest.json"));
    assert_eq!(
        m["files"],
        serde_json::json!(["summary.json", "bands.csv", "report.xlsx", "report.html"])
    );
    let s = json(&dir.join("summary.json"));
    let mut book: Xlsx<_> = open_workbook(dir.join("report.xlsx")).expect("open report.xlsx");
    assert_eq!(
        book.sheet_names(),
        [
            "Headline",
            "By year",
            "Inputs",
            "Sensitivity",
            "Bands",
            "Obligations",
            "Checks"
        ]
    );

    // Headline: the figures with their errors and intervals, exactly as summary.json has them.
    let h = sheet(&mut book, "Headline");
    let est = |label: &str, col: usize| number(&h, row_labelled(&h, label), col, label);
    assert_eq!(est("Trials", 2), 3000.0);
    assert_eq!(est("Seed", 2), 7.0);
    let p = &s["shortfall_probability"];
    same(
        est("P(shortfall) over the horizon", 2),
        f64_of(&p["estimate"], "p"),
        "p",
    );
    same(
        est("P(shortfall) over the horizon", 4),
        f64_of(&p["ci95"][0], "lo"),
        "lo",
    );
    same(
        est("P(shortfall) over the horizon", 5),
        f64_of(&p["ci95"][1], "hi"),
        "hi",
    );
    same(
        est("Funding gap, mean", 2),
        f64_of(&s["gap"]["mean"], "mean"),
        "mean",
    );
    same(
        est("Funding gap, mean", 3),
        f64_of(&s["gap"]["std_error"], "se"),
        "se",
    );
    for (k, q) in s["gap"]["quantiles"].as_object().expect("quantiles") {
        let label = format!("Funding gap, {k}");
        same(est(&label, 2), f64_of(q, k), &label);
        let ci = &s["gap"]["quantiles_ci95"][k];
        same(est(&label, 4), f64_of(&ci[0], k), k);
        same(est(&label, 5), f64_of(&ci[1], k), k);
    }
    same(
        est("Deficit, p50", 2),
        f64_of(&s["deficit"]["quantiles"]["p50"], "deficit p50"),
        "deficit p50",
    );
    same(
        est("P(IPO inside the horizon)", 2),
        f64_of(&s["ipo_probability"]["estimate"], "ipo"),
        "ipo",
    );
    // Dates are date cells.
    for label in [
        "Start",
        "First shortfall, median among trials that run short",
    ] {
        let r = row_labelled(&h, label);
        assert!(
            matches!(h.get((r, 2)), Some(Data::DateTime(d)) if d.is_datetime()),
            "{label}: {:?}",
            h.get((r, 2))
        );
    }

    // By year: the gap by report year and the annual figures.
    let y = sheet(&mut book, "By year");
    let year_row = |year: &str| {
        let want: f64 = year.parse().expect("year");
        (1..y.height())
            .find(|&i| matches!(y.get((i, 0)), Some(Data::Float(x)) if *x == want))
            .unwrap_or_else(|| panic!("no row for {year}"))
    };
    let gby = s["gap_by_year"].as_object().expect("gap_by_year");
    assert!(!gby.is_empty());
    for (year, g) in gby {
        let r = year_row(year);
        same(
            number(&y, r, 2, "P(shortfall)"),
            f64_of(&g["shortfall_probability"]["estimate"], "p"),
            "p",
        );
        same(
            number(&y, r, 5, "gap mean"),
            f64_of(&g["mean"], "mean"),
            "mean",
        );
        same(
            number(&y, r, 7, "gap p50"),
            f64_of(&g["quantiles"]["p50"], "p50"),
            "p50",
        );
    }
    for (year, a) in s["annual"].as_object().expect("annual") {
        let r = year_row(year);
        same(
            number(&y, r, 14, "revenue mean"),
            f64_of(&a["revenue"]["mean"], "revenue"),
            "revenue",
        );
        same(
            number(&y, r, 20, "operating cash flow p50"),
            f64_of(&a["operating_cash_flow"]["p50"], "ocf"),
            "ocf",
        );
        same(
            number(&y, r, 22, "net burn mean"),
            f64_of(&a["net_burn"]["mean"], "burn"),
            "burn",
        );
    }
    // Every filled cell under the header is a number.
    for (i, row) in y.rows().enumerate().skip(1) {
        for (j, c) in row.iter().enumerate() {
            assert!(
                matches!(c, Data::Float(_) | Data::Empty),
                "By year row {i} column {j}: {c:?}"
            );
        }
    }

    // Inputs: every uncertain input with its percentiles.
    let inp = sheet(&mut book, "Inputs");
    let inputs = s["inputs"].as_array().expect("inputs");
    assert_eq!(inp.height(), inputs.len() + 1);
    for (i, want) in inputs.iter().enumerate() {
        assert_eq!(
            inp.get((i + 1, 0)),
            Some(&Data::String(want["path"].as_str().expect("path").into()))
        );
        for (col, k) in [(2, "p5"), (3, "p50"), (4, "p95"), (5, "sampled_mean")] {
            same(number(&inp, i + 1, col, k), f64_of(&want[k], k), k);
        }
        // Every input of base cites its source, and the sheet carries it as text.
        let source = want["source"].as_str().expect("base's inputs cite sources");
        assert_eq!(inp.get((i + 1, 6)), Some(&Data::String(source.into())));
    }

    // Sensitivity: the horizon's inputs first, in the summary's order.
    let sen = sheet(&mut book, "Sensitivity");
    for (i, want) in s["sensitivity"]["gap"]
        .as_array()
        .expect("sensitivity")
        .iter()
        .enumerate()
    {
        assert_eq!(sen.get((i + 1, 0)), Some(&Data::String("horizon".into())));
        assert_eq!(
            sen.get((i + 1, 1)),
            Some(&Data::String(want["path"].as_str().expect("path").into()))
        );
        same(
            number(&sen, i + 1, 2, "swing"),
            f64_of(&want["swing"], "swing"),
            "swing",
        );
        same(
            number(&sen, i + 1, 5, "variance share"),
            f64_of(&want["variance_share"], "share"),
            "share",
        );
    }

    // Bands: bands.csv's rows, as numbers.
    let bands = sheet(&mut book, "Bands");
    let csv = fs::read_to_string(dir.join("bands.csv")).expect("bands.csv");
    let lines: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(bands.height(), lines.len() + 1);
    for (i, line) in lines.iter().enumerate() {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(bands.get((i + 1, 0)), Some(&Data::String(fields[0].into())));
        for (col, text) in fields.iter().enumerate().skip(1) {
            let want: f64 = text.parse().expect("a number in bands.csv");
            assert_eq!(number(&bands, i + 1, col, "band"), want, "bands row {i}");
        }
    }

    // Obligations: by counterparty and year, and the total.
    let ob = sheet(&mut book, "Obligations");
    let sched = &s["obligations_schedule"];
    let years = sched["years"].as_array().expect("years");
    for (who, values) in sched["by_counterparty"]
        .as_object()
        .expect("by counterparty")
    {
        let r = row_labelled(&ob, who);
        for (j, v) in values.as_array().expect("values").iter().enumerate() {
            same(number(&ob, r, j + 1, who), f64_of(v, who), who);
        }
    }
    let total = row_labelled(&ob, "Total");
    for (j, v) in sched["total_by_year"]
        .as_array()
        .expect("totals")
        .iter()
        .enumerate()
    {
        same(
            number(&ob, total, j + 1, "total"),
            f64_of(v, "total"),
            "total",
        );
    }
    assert_eq!(
        ob.get((0, years.len() + 1)),
        Some(&Data::String("Total, $B".into()))
    );

    // Checks: base checks itself against published figures.
    let ch = sheet(&mut book, "Checks");
    let checks = s["checks"].as_array().expect("base has [[checks]]");
    assert_eq!(ch.height(), checks.len() + 1);
    for (i, c) in checks.iter().enumerate() {
        same(
            number(&ch, i + 1, 3, "published"),
            f64_of(&c["published"], "published"),
            "published",
        );
        if let Some(v) = c["value"].as_f64() {
            same(number(&ch, i + 1, 4, "value"), v, "value");
        }
        assert_eq!(
            ch.get((i + 1, 9)),
            Some(&Data::Bool(c["pass"].as_bool().expect("pass")))
        );
    }
}

#[test]
fn report_chooses_whether_the_workbook_is_written() {
    let tmp = TempDir::new().expect("temp dir");
    for (report, written) in [("none", false), ("html", false), ("xlsx", true)] {
        let dir = tmp.path().join(report);
        run(
            "tests/fixtures/minimal.toml",
            &dir,
            "300",
            &["--report", report],
        );
        assert_eq!(
            dir.join("report.xlsx").is_file(),
            written,
            "--report {report}"
        );
        let listed = json(&dir.join("manifest.json"))["files"]
            .as_array()
            .expect("files")
            .iter()
            .any(|f| f == "report.xlsx");
        assert_eq!(listed, written, "--report {report}: manifest");
    }
}

/// A trials file's value of column `name` in every row, as text: the CSV's field, and
/// the Parquet reader's value printed the same way (a date as its day, a null as empty).
fn csv_column(path: &Path, name: &str) -> Vec<String> {
    let mut r = csv::Reader::from_path(path).expect("trials.csv");
    let col = r
        .headers()
        .expect("header")
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    r.records()
        .map(|rec| rec.expect("row")[col].to_string())
        .collect()
}

#[test]
fn parquet_trials_hold_the_csv_rows_with_typed_columns() {
    let tmp = TempDir::new().expect("temp dir");
    let (c, p) = (tmp.path().join("csv"), tmp.path().join("parquet"));
    run(
        "base",
        &c,
        "3000",
        &["--seed", "11", "--report", "none", "--save-trials"],
    );
    run(
        "base",
        &p,
        "3000",
        &[
            "--seed",
            "11",
            "--report",
            "none",
            "--save-trials",
            "parquet",
        ],
    );
    assert_eq!(
        names_in(&p),
        [
            "bands.csv",
            "manifest.json",
            "summary.json",
            "trials.parquet"
        ]
    );
    assert_eq!(
        json(&p.join("manifest.json"))["files"],
        serde_json::json!(["summary.json", "bands.csv", "trials.parquet"])
    );
    // The same seed gives the same run, whichever file keeps the trials.
    assert_eq!(
        fs::read(c.join("summary.json")).expect("summary"),
        fs::read(p.join("summary.json")).expect("summary")
    );

    let file = fs::File::open(p.join("trials.parquet")).expect("trials.parquet");
    let reader = SerializedFileReader::new(file).expect("a Parquet file");
    assert_eq!(reader.metadata().file_metadata().num_rows(), 3000);
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    let header: Vec<String> = csv::Reader::from_path(c.join("trials.csv"))
        .expect("trials.csv")
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    let names: Vec<String> = (0..schema.num_columns())
        .map(|i| schema.column(i).name().to_string())
        .collect();
    assert_eq!(names, header, "the CSV's columns, in its order");
    let kind = |name: &str| {
        let col = schema.column(names.iter().position(|n| n == name).expect(name));
        (col.physical_type(), col.logical_type_ref().cloned())
    };
    assert_eq!(kind("trial").0, PhysicalType::INT64);
    assert_eq!(kind("gap"), (PhysicalType::DOUBLE, None));
    assert_eq!(
        kind("revenue.consumer.growth"),
        (PhysicalType::DOUBLE, None)
    );
    assert_eq!(
        kind("first_shortfall"),
        (PhysicalType::INT32, Some(LogicalType::Date))
    );
    assert_eq!(kind("breakeven_year").0, PhysicalType::INT32);
    assert_eq!(kind("ipo"), (PhysicalType::BOOLEAN, None));

    // Column by column, every row, against the CSV of the same run.
    let checked = [
        "trial",
        "revenue.consumer.growth",
        "gap",
        "gap_2030",
        "first_shortfall",
        "breakeven_year",
        "ipo",
    ];
    let mut from_parquet: Vec<Vec<String>> = vec![Vec::new(); checked.len()];
    for row in reader.get_row_iter(None).expect("rows") {
        let row = row.expect("a row");
        for (k, name) in checked.iter().enumerate() {
            let (_, field) = row
                .get_column_iter()
                .find(|(n, _)| n.as_str() == *name)
                .expect("column");
            from_parquet[k].push(match field {
                Field::Null => String::new(),
                Field::Double(x) => x.to_string(),
                Field::Long(x) => x.to_string(),
                Field::Int(x) => x.to_string(),
                Field::Bool(b) => u8::from(*b).to_string(),
                Field::Date(_) => field.to_string(),
                other => panic!("{name}: unexpected {other:?}"),
            });
        }
    }
    for (k, name) in checked.iter().enumerate() {
        let mut want = csv_column(&c.join("trials.csv"), name);
        if *name == "first_shortfall" {
            // The CSV's decimal year is the end of a step; the Parquet DATE is that day.
            want = want
                .iter()
                .map(|t| {
                    if t.is_empty() {
                        String::new()
                    } else {
                        funding_gap::summary::calendar_date(t.parse().expect("a decimal year"))
                    }
                })
                .collect();
        }
        assert_eq!(from_parquet[k].len(), 3000, "{name}");
        assert_eq!(from_parquet[k], want, "{name}");
    }
    // Both kinds of row occur, so the nulls and the flags were exercised.
    assert!(from_parquet[4].iter().any(String::is_empty));
    assert!(from_parquet[4].iter().any(|d| !d.is_empty()));
    assert!(from_parquet[6].iter().any(|f| f == "0") && from_parquet[6].iter().any(|f| f == "1"));

    pyarrow_agrees(&p.join("trials.parquet"), &c.join("trials.csv"));
}

/// Where python3 has pyarrow, it reads the file too: the row count, the schema's types and
/// the sum of the gap column. Skipped (with a note on stderr) without pyarrow.
fn pyarrow_agrees(parquet: &Path, csv_path: &Path) {
    let probe = std::process::Command::new("python3")
        .args(["-c", "import pyarrow"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("note: python3 with pyarrow not found; the pyarrow read-back is skipped");
        return;
    }
    let script = "import sys, pyarrow.parquet as pq\n\
        t = pq.read_table(sys.argv[1])\n\
        print(t.num_rows)\n\
        print(t.schema.field('trial').type, t.schema.field('first_shortfall').type, t.schema.field('ipo').type)\n\
        print(repr(sum(t.column('gap').to_pylist())))\n";
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(parquet)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "3000");
    assert_eq!(lines[1], "int64 date32[day] bool");
    let gap: Vec<f64> = csv_column(csv_path, "gap")
        .iter()
        .map(|g| g.parse().expect("gap"))
        .collect();
    // Python sums left to right as this does.
    let sum = gap.iter().fold(0.0, |a, b| a + b);
    let theirs: f64 = lines[2].parse().expect("a sum");
    assert_eq!(theirs, sum);
}

#[test]
fn compare_pairs_runs_kept_as_parquet_as_it_pairs_csv_ones() {
    let tmp = TempDir::new().expect("temp dir");
    let no_round = super::root()
        .join("scenarios/no-round.toml")
        .display()
        .to_string();
    for (name, scenario, format) in [
        ("a-csv", "base", "csv"),
        ("a-pq", "base", "parquet"),
        ("b-csv", no_round.as_str(), "csv"),
        ("b-pq", no_round.as_str(), "parquet"),
    ] {
        run(
            scenario,
            &tmp.path().join(name),
            "700",
            &["--seed", "3", "--report", "none", "--save-trials", format],
        );
    }
    let compare = |a: &str, b: &str| {
        let out = funding_gap_in(
            tmp.path(),
            &["compare", a, b, "--out", &format!("cmp-{a}-{b}"), "-q"],
        );
        assert_eq!(out.code, Some(0), "{}", out.dump());
        let mut d = json(
            &tmp.path()
                .join(format!("cmp-{a}-{b}"))
                .join("stored_comparison.json"),
        )["diffs"][0]
            .clone();
        assert_eq!(d["method"], "paired by trial (from stored trials)");
        let obj = d.as_object_mut().expect("a diff");
        obj.remove("folder");
        obj.remove("against_folder");
        d
    };
    let csv = compare("a-csv", "b-csv");
    assert_eq!(compare("a-pq", "b-pq"), csv);
    assert_eq!(compare("a-csv", "b-pq"), csv);
    assert!(f64_of(&csv["gap_mean_diff"], "diff") > 0.0);
}
