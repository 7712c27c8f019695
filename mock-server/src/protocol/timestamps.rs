//! Timestamps as text, from and to virtual epoch seconds: ISO 8601 (EventBridge envelopes, S3 XML
//! documents with milliseconds), the HTTP date of S3 headers (`Mon, 01 Jan 2024 00:00:00 GMT`),
//! and the proleptic Gregorian calendar arithmetic under them (Howard Hinnant's algorithms), which
//! cron schedules use too. The JSON protocols send epoch numbers and need none of this.

const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The date of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Days since 1970-01-01 of a date.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn split(epoch: f64) -> (i64, u32, u32, i64, i64, i64, i64) {
    let millis = (epoch * 1000.0).floor() as i64;
    let secs = millis.div_euclid(1000);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    (
        y,
        m,
        d,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        millis.rem_euclid(1000),
    )
}

/// `2024-01-01T00:00:00.000Z`
pub fn iso8601_millis(epoch: f64) -> String {
    let (y, m, d, h, mi, s, ms) = split(epoch);
    let mut out = date_time(y, m, d, h, mi, s);
    out.push('.');
    push_digits(&mut out, ms, 3);
    out.push('Z');
    out
}

/// `YYYY-MM-DDTHH:MM:SS`, written digit by digit: every event envelope and many responses carry
/// one, and `format!` costs several times as much (it showed in `make bench`'s PutEvents profile).
fn date_time(y: i64, m: u32, d: u32, h: i64, mi: i64, s: i64) -> String {
    let mut out = String::with_capacity(24);
    if (0..=9999).contains(&y) {
        push_digits(&mut out, y, 4);
    } else {
        out.push_str(&format!("{y:04}"));
    }
    out.push('-');
    push_digits(&mut out, i64::from(m), 2);
    out.push('-');
    push_digits(&mut out, i64::from(d), 2);
    out.push('T');
    push_digits(&mut out, h, 2);
    out.push(':');
    push_digits(&mut out, mi, 2);
    out.push(':');
    push_digits(&mut out, s, 2);
    out
}

/// Appends the `width` lowest decimal digits of `n` (0 <= n < 10^width), zero-padded.
fn push_digits(out: &mut String, n: i64, width: u32) {
    for place in (0..width).rev() {
        let digit = (n / 10i64.pow(place)).rem_euclid(10) as u8;
        out.push(char::from(b'0' + digit));
    }
}

/// `2024-01-01T00:00:00Z`: second precision, as EventBridge writes an envelope's `time`.
pub fn iso8601(epoch: f64) -> String {
    let (y, m, d, h, mi, s, _) = split(epoch);
    let mut out = date_time(y, m, d, h, mi, s);
    out.push('Z');
    out
}

/// `Sep 1, 2017 4:12:29 PM`: the Java-style time inside CodeBuild's events (aws-lambda-go's
/// `codebuildTimeFormat` is `Jan 2, 2006 3:04:05 PM`).
pub fn codebuild_event_time(epoch: f64) -> String {
    let (y, m, d, h, mi, s, _) = split(epoch);
    let mon = MONTHS[(m as usize).saturating_sub(1).min(11)];
    let (h12, ampm) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    format!("{mon} {d}, {y} {h12}:{mi:02}:{s:02} {ampm}")
}

/// `2024/01/01 12:00:00.123456`: the time the CodeBuild agent prints in its log lines.
pub fn codebuild_log_time(epoch: f64) -> String {
    let (y, m, d, h, mi, s, _) = split(epoch);
    let micros = ((epoch - epoch.floor()) * 1_000_000.0).floor() as i64;
    format!("{y:04}/{m:02}/{d:02} {h:02}:{mi:02}:{s:02}.{micros:06}")
}

/// `Mon, 01 Jan 2024 00:00:00 GMT`
pub fn http_date(epoch: f64) -> String {
    let (y, m, d, h, mi, s, _) = split(epoch);
    let day = (epoch.floor() as i64).div_euclid(86_400);
    let wd = DAYS[day.rem_euclid(7) as usize];
    let mon = MONTHS[(m as usize).saturating_sub(1).min(11)];
    format!("{wd}, {d:02} {mon} {y:04} {h:02}:{mi:02}:{s:02} GMT")
}

/// Parses an HTTP date (IMF-fixdate, the form every SDK sends) or ISO 8601; `None` otherwise,
/// and then a conditional header is ignored, as HTTP says invalid dates must be.
pub fn parse_date(text: &str) -> Option<f64> {
    let t = text.trim();
    if let Some((_, rest)) = t.split_once(", ") {
        let mut it = rest.split(' ');
        let d: u32 = it.next()?.parse().ok()?;
        let mon = it.next()?;
        let m = MONTHS.iter().position(|x| x.eq_ignore_ascii_case(mon))? as u32 + 1;
        let y: i64 = it.next()?.parse().ok()?;
        let hms = it.next()?;
        let mut p = hms.split(':');
        let h: i64 = p.next()?.parse().ok()?;
        let mi: i64 = p.next()?.parse().ok()?;
        let s: i64 = p.next()?.parse().ok()?;
        if !plausible(y, d, h, mi, s as f64) {
            return None;
        }
        return Some((days_from_civil(y, m, d) * 86_400 + h * 3600 + mi * 60 + s) as f64);
    }
    // 2024-01-01T00:00:00(.000)Z
    let (date, time) = t.split_once('T')?;
    let mut dp = date.split('-');
    let y: i64 = dp.next()?.parse().ok()?;
    let m: u32 = dp.next()?.parse().ok()?;
    let d: u32 = dp.next()?.parse().ok()?;
    let time = time.trim_end_matches('Z');
    let mut tp = time.split(':');
    let h: i64 = tp.next()?.parse().ok()?;
    let mi: i64 = tp.next()?.parse().ok()?;
    let s: f64 = tp.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !plausible(y, d, h, mi, s) {
        return None;
    }
    Some((days_from_civil(y, m, d) * 86_400 + h * 3600 + mi * 60) as f64 + s)
}

/// Field ranges of a real date, so that arithmetic on untrusted input cannot overflow.
fn plausible(y: i64, d: u32, h: i64, mi: i64, s: f64) -> bool {
    (0..=9999).contains(&y)
        && (1..=31).contains(&d)
        && (0..=23).contains(&h)
        && (0..=59).contains(&mi)
        && (0.0..61.0).contains(&s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses() {
        let t = 1_704_067_200.0; // 2024-01-01, a Monday
        assert_eq!(iso8601_millis(t + 0.5), "2024-01-01T00:00:00.500Z");
        assert_eq!(iso8601(t), "2024-01-01T00:00:00Z");
        assert_eq!(http_date(t), "Mon, 01 Jan 2024 00:00:00 GMT");
        assert_eq!(parse_date("Mon, 01 Jan 2024 00:00:00 GMT"), Some(t));
        assert_eq!(parse_date("2024-01-01T00:00:00.000Z"), Some(t));
        assert_eq!(http_date(1_795_000_000.0), "Wed, 18 Nov 2026 11:06:40 GMT");
        assert_eq!(parse_date("garbage"), None);
        assert_eq!(
            parse_date("Mon, 01 Jan 99999999999999999 00:00:00 GMT"),
            None
        );
        assert_eq!(
            parse_date("9999999999999999-01-01T99999999999:00:00Z"),
            None
        );
    }

    #[test]
    fn digit_by_digit_formatting_agrees_with_format() {
        // Across leap days, year ends, the epoch and before it, and sub-second instants.
        for epoch in [
            0.0,
            -1.5,
            951_782_399.999,
            951_868_800.25,
            1_704_067_199.0,
            1_709_164_800.123,
            253_402_300_799.0,
        ] {
            let (y, m, d, h, mi, s, ms) = split(epoch);
            assert_eq!(
                iso8601_millis(epoch),
                format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z")
            );
            assert_eq!(
                iso8601(epoch),
                format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
            );
        }
    }
}
