//! Schedule expressions of scheduled rules, `rate(...)` and `cron(...)`, parsed with the rules of
//! the EventBridge user guide ("Schedule expressions for rules"), and the next instant each fires
//! at, on the virtual clock and in UTC (rules on the default bus have no time zone).

use crate::protocol::timestamps::{civil_from_days, days_from_civil};

/// A parsed schedule expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Schedule {
    /// Every `seconds`, counted from when the rule was created or last changed.
    Rate {
        seconds: f64,
    },
    Cron(Box<Cron>),
}

/// Why an expression was refused: PutRule answers `ValidationException` with AWS's text.
pub const INVALID: &str = "Parameter ScheduleExpression is not valid.";

impl Schedule {
    pub fn parse(expr: &str) -> Result<Schedule, &'static str> {
        let expr = expr.trim();
        if let Some(body) = expr.strip_prefix("rate(").and_then(|b| b.strip_suffix(')')) {
            return parse_rate(body).ok_or(INVALID);
        }
        if let Some(body) = expr.strip_prefix("cron(").and_then(|b| b.strip_suffix(')')) {
            return Cron::parse(body)
                .map(|c| Schedule::Cron(Box::new(c)))
                .ok_or(INVALID);
        }
        Err(INVALID)
    }

    /// The first instant strictly after `after` at which the schedule fires, if any (a cron
    /// whose year field has passed never fires again).
    pub fn next_after(&self, after: f64) -> Option<f64> {
        match self {
            Schedule::Rate { seconds } => Some(after + seconds),
            Schedule::Cron(c) => c.next_after(after),
        }
    }
}

fn parse_rate(body: &str) -> Option<Schedule> {
    let mut parts = body.split_whitespace();
    let value: u64 = parts.next()?.parse().ok()?;
    let unit = parts.next()?;
    if parts.next().is_some() || value == 0 {
        return None;
    }
    // AWS insists on the singular for 1 and the plural otherwise ("rate(1 minutes)" is invalid).
    let (singular, plural, seconds) = match unit.trim_end_matches('s') {
        "minute" => ("minute", "minutes", 60),
        "hour" => ("hour", "hours", 3600),
        "day" => ("day", "days", 86_400),
        _ => return None,
    };
    let ok = if value == 1 {
        unit == singular
    } else {
        unit == plural
    };
    // A rate too large to count in seconds is no schedule at all (and must not overflow).
    let total = value.checked_mul(seconds)?;
    ok.then_some(Schedule::Rate {
        seconds: total as f64,
    })
}

/// One field of a cron expression: which values it allows.
#[derive(Debug, Clone, PartialEq)]
struct Field {
    allowed: Vec<bool>,
    any: bool,
}

impl Field {
    fn has(&self, v: u32) -> bool {
        self.allowed.get(v as usize).copied().unwrap_or(false)
    }
}

/// Day-of-month specials (`L`, `LW`, `15W`) and day-of-week specials (`6L`, `2#3`).
#[derive(Debug, Clone, PartialEq)]
enum DaySpec {
    Any,
    Set(Field),
    LastDay,
    LastWeekday,
    NearestWeekday(u32),
    LastWeekdayOfMonth(u32),
    NthWeekday(u32, u32),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cron {
    minutes: Field,
    hours: Field,
    dom: DaySpec,
    months: Field,
    dow: DaySpec,
    years: Field,
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const FIRST_YEAR: u32 = 1970;
const LAST_YEAR: u32 = 2199;

fn name_value(s: &str, names: &[&str], base: u32) -> Option<u32> {
    if let Ok(v) = s.parse::<u32>() {
        return Some(v);
    }
    names
        .iter()
        .position(|n| n.eq_ignore_ascii_case(s))
        .map(|i| i as u32 + base)
}

fn parse_field(s: &str, min: u32, max: u32, names: &[&str]) -> Option<Field> {
    let mut allowed = vec![false; max as usize + 1];
    let any = s == "*";
    for part in s.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, st)) => (r, st.parse::<u32>().ok().filter(|v| *v > 0)?),
            None => (part, 1),
        };
        let (lo, hi) = if range == "*" {
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            (name_value(a, names, min)?, name_value(b, names, min)?)
        } else {
            let v = name_value(range, names, min)?;
            // "5/10" means from 5 to the end in steps of 10.
            (v, if part.contains('/') { max } else { v })
        };
        if lo < min || hi > max || lo > hi {
            return None;
        }
        for v in (lo..=hi).step_by(step as usize) {
            allowed[v as usize] = true;
        }
    }
    Some(Field { allowed, any })
}

impl Cron {
    fn parse(body: &str) -> Option<Cron> {
        let f: Vec<&str> = body.split_whitespace().collect();
        let [min, hour, dom, month, dow, year] = f.as_slice() else {
            return None;
        };
        // Exactly one of day-of-month and day-of-week must be `?` (AWS: "You can't specify the
        // Day-of-month and Day-of-week fields in the same cron expression").
        if (*dom == "?") == (*dow == "?") {
            return None;
        }
        let dom = if *dom == "?" {
            DaySpec::Any
        } else if *dom == "L" {
            DaySpec::LastDay
        } else if *dom == "LW" {
            DaySpec::LastWeekday
        } else if let Some(d) = dom.strip_suffix('W') {
            DaySpec::NearestWeekday(d.parse().ok().filter(|d| (1..=31).contains(d))?)
        } else {
            DaySpec::Set(parse_field(dom, 1, 31, &[])?)
        };
        let dow = if *dow == "?" {
            DaySpec::Any
        } else if let Some(d) = dow.strip_suffix('L') {
            let d = if d.is_empty() {
                7
            } else {
                name_value(d, &DAYS, 1)?
            };
            (1..=7)
                .contains(&d)
                .then_some(DaySpec::LastWeekdayOfMonth(d))?
        } else if let Some((d, n)) = dow.split_once('#') {
            let d = name_value(d, &DAYS, 1)?;
            let n: u32 = n.parse().ok()?;
            ((1..=7).contains(&d) && (1..=5).contains(&n)).then_some(DaySpec::NthWeekday(d, n))?
        } else {
            DaySpec::Set(parse_field(dow, 1, 7, &DAYS)?)
        };
        Some(Cron {
            minutes: parse_field(min, 0, 59, &[])?,
            hours: parse_field(hour, 0, 23, &[])?,
            dom,
            months: parse_field(month, 1, 12, &MONTHS)?,
            dow,
            years: parse_field(year, FIRST_YEAR, LAST_YEAR, &[])?,
        })
    }

    fn day_matches(&self, y: u32, m: u32, d: u32) -> bool {
        let last = days_in_month(y, m);
        // 1 = Sunday ... 7 = Saturday, as AWS numbers days of the week.
        let weekday = |day: u32| weekday_of(y, m, day) + 1;
        let dom_ok = match &self.dom {
            DaySpec::Any => true,
            DaySpec::Set(f) => f.has(d),
            DaySpec::LastDay => d == last,
            DaySpec::LastWeekday => {
                let mut day = last;
                while matches!(weekday(day), 1 | 7) {
                    day -= 1;
                }
                d == day
            }
            DaySpec::NearestWeekday(target) => {
                let target = (*target).min(last);
                let nearest = match weekday(target) {
                    7 if target == 1 => 3,
                    7 => target - 1,
                    1 if target == last => target - 2,
                    1 => target + 1,
                    _ => target,
                };
                d == nearest
            }
            DaySpec::LastWeekdayOfMonth(_) | DaySpec::NthWeekday(..) => true,
        };
        let dow_ok = match &self.dow {
            DaySpec::Any => true,
            DaySpec::Set(f) => f.any || f.has(weekday(d)),
            DaySpec::LastWeekdayOfMonth(w) => weekday(d) == *w && d + 7 > last,
            DaySpec::NthWeekday(w, n) => weekday(d) == *w && (d - 1) / 7 + 1 == *n,
            _ => true,
        };
        dom_ok && dow_ok
    }

    fn next_after(&self, after: f64) -> Option<f64> {
        // Cron fires on whole minutes; start at the first minute strictly after `after`.
        let start = (after / 60.0).floor() as i64 * 60 + 60;
        let mut day = start.div_euclid(86_400);
        let mut first_minute = (start.rem_euclid(86_400) / 60) as u32;
        loop {
            let (y, m, d) = civil_from_days(day);
            if y > LAST_YEAR as i64 {
                return None;
            }
            let (y, m, d) = (y as u32, m, d);
            if self.years.has(y) && self.months.has(m) && self.day_matches(y, m, d) {
                for minute_of_day in first_minute..1440 {
                    let (h, mi) = (minute_of_day / 60, minute_of_day % 60);
                    if self.hours.has(h) && self.minutes.has(mi) {
                        return Some((day * 86_400 + i64::from(minute_of_day) * 60) as f64);
                    }
                }
            }
            day += 1;
            first_minute = 0;
        }
    }
}

fn is_leap(y: u32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// 0 = Sunday.
fn weekday_of(y: u32, m: u32, d: u32) -> u32 {
    let days = days_from_civil(i64::from(y), m, d);
    // 1970-01-01 was a Thursday.
    ((days + 4).rem_euclid(7)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::timestamps::iso8601;

    const JAN_1_2024: f64 = 1_704_067_200.0; // a Monday

    #[test]
    fn rates_need_the_right_number_of_the_unit() {
        assert_eq!(
            Schedule::parse("rate(5 minutes)"),
            Ok(Schedule::Rate { seconds: 300.0 })
        );
        assert_eq!(
            Schedule::parse("rate(1 hour)"),
            Ok(Schedule::Rate { seconds: 3600.0 })
        );
        for bad in [
            "rate(1 minutes)",
            "rate(18446744073709551615 days)",
            "rate(2 day)",
            "rate(0 days)",
            "rate(x)",
            "every 5",
        ] {
            assert_eq!(Schedule::parse(bad), Err(INVALID), "{bad}");
        }
    }

    #[test]
    fn cron_finds_the_next_minute() {
        let s = Schedule::parse("cron(0 12 * * ? *)").expect("valid");
        assert_eq!(s.next_after(JAN_1_2024), Some(JAN_1_2024 + 12.0 * 3600.0));
        let s = Schedule::parse("cron(0/15 * * * ? *)").expect("valid");
        assert_eq!(s.next_after(JAN_1_2024), Some(JAN_1_2024 + 900.0));
        // 18:00 on weekdays: Saturday 6 Jan 2024 and Sunday 7 are skipped after Friday 5.
        let s = Schedule::parse("cron(0 18 ? * MON-FRI *)").expect("valid");
        let fri = JAN_1_2024 + 4.0 * 86_400.0 + 18.0 * 3600.0;
        assert_eq!(
            s.next_after(fri),
            Some(JAN_1_2024 + 7.0 * 86_400.0 + 18.0 * 3600.0)
        );
        // Last day of the month, and the first Monday.
        let s = Schedule::parse("cron(0 0 L * ? *)").expect("valid");
        assert_eq!(
            s.next_after(JAN_1_2024).map(iso8601).as_deref(),
            Some("2024-01-31T00:00:00Z")
        );
        let s = Schedule::parse("cron(0 0 ? * 2#1 *)").expect("valid");
        assert_eq!(
            s.next_after(JAN_1_2024).map(iso8601).as_deref(),
            Some("2024-02-05T00:00:00Z")
        );
        assert_eq!(
            Schedule::parse("cron(0 0 ? * 2#1 2020)")
                .expect("valid")
                .next_after(JAN_1_2024),
            None
        );
    }

    #[test]
    fn cron_rejects_what_aws_rejects() {
        for bad in [
            "cron(0 12 * * * *)",
            "cron(0 12 ? * ? *)",
            "cron(60 12 * * ? *)",
            "cron(0 12 * * ?)",
            "cron(0 12 * FOO ? *)",
        ] {
            assert!(Schedule::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn huge_steps_do_not_overflow() {
        let s = Schedule::parse("cron(1/4294967295 12 * * ? *)").expect("valid");
        assert_eq!(
            s.next_after(JAN_1_2024),
            Some(JAN_1_2024 + 12.0 * 3600.0 + 60.0)
        );
    }

    #[test]
    fn iso_times() {
        assert_eq!(iso8601(JAN_1_2024 + 61.9), "2024-01-01T00:01:01Z");
        assert_eq!(iso8601(0.0), "1970-01-01T00:00:00Z");
    }
}
