//! A centre with data for the web page tests: two facilities' kiosks synced through the real
//! API, a hostile comment, a small department, and one account of each role; and a browser
//! without JavaScript (plain HTTP, cookies kept by hand, no redirects followed).

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use hailong::centre::accounts::{NewUser, Role, hash_password};
use hailong::centre::{self, Backend};
use hailong::store::Store;
use hailong::survey::demo::{DemoOptions, generate};
use hailong::survey::{Answer, Catalog};
use hailong::sync::client::{self, Target};

use super::server::{self, Server};

pub const TZ: chrono_tz::Tz = chrono_tz::Asia::Ho_Chi_Minh;
pub const PASSWORD: &str = "mật khẩu đủ dài";
pub const HOSTILE: &str = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>";

/// The web tests' "now": noon of 15 November 2026, in the middle of a quarter, whatever day the
/// tests run (the centres they start read it from a fixed clock). Days at a quarter's edge are
/// tested by name where they matter.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    "2026-11-15T05:00:00Z".parse().unwrap()
}

/// The web tests' today (see [`now`]).
pub fn today() -> NaiveDate {
    now().with_timezone(&TZ).date_naive()
}

/// A kiosk at `facility` with `n` demo responses ending today, in `departments`, synced to the
/// centre; `edit` may change each response first.
pub fn kiosk(
    dir: &Path,
    server: &Server,
    facility: &str,
    n: usize,
    departments: &[&str],
    seed: u64,
    edit: impl FnMut(usize, &mut hailong::survey::Response),
) {
    let store = kiosk_store(dir, n, departments, seed, edit);
    let target = Target {
        url: server.url(),
        token: server.enrol(facility),
        ca_cert: None,
    };
    let http = client::http_client(&target).unwrap();
    rt().block_on(client::sync_once(&store, &http, &target)).unwrap();
}

/// A kiosk's store in `dir` holding `n` demo responses a minute apart ending yesterday at noon
/// (the public page counts to the end of the day before), in `departments`, not yet synced;
/// `edit` may change each response first.
pub fn kiosk_store(
    dir: &Path,
    n: usize,
    departments: &[&str],
    seed: u64,
    mut edit: impl FnMut(usize, &mut hailong::survey::Response),
) -> hailong::store::SharedStore {
    std::fs::create_dir_all(dir).unwrap();
    let mut store = Store::open(&dir.join("hailong.sqlite3"), TZ).unwrap();
    let catalog = Catalog::built_in();
    let q = catalog.latest("kiosk-nhanh").unwrap().clone();
    let opts = DemoOptions {
        responses: n,
        seed,
        end: today(),
        departments: departments.iter().map(|d| d.to_string()).collect(),
        tz: TZ,
    };
    let mut all = Vec::new();
    let end = now() - chrono::Duration::days(1);
    generate(&q, &opts, |mut r| {
        r.submitted_at = end - chrono::Duration::minutes(all.len() as i64);
        r.started_at = r.submitted_at - chrono::Duration::minutes(3);
        // One department given: all there (the generator spreads over two or more).
        if let [only] = departments {
            r.department = Some(only.to_string());
        }
        edit(all.len(), &mut r);
        all.push(r);
    });
    let pairs: Vec<_> = all.iter().map(|r| (&q, r)).collect();
    store.save_all(&pairs).unwrap();
    Arc::new(Mutex::new(store))
}

pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().unwrap()
}

/// A response: status, headers (lower-case names, `set-cookie` joined by `\n`), body.
pub struct Reply {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl Reply {
    pub fn location(&self) -> &str {
        self.headers.get("location").map_or("", String::as_str)
    }
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers.get("set-cookie")?.lines().find_map(|c| {
            let (k, rest) = c.split_once('=')?;
            (k == name).then(|| rest.split(';').next().unwrap_or("").to_string())
        })
    }
    pub fn cookie_line(&self, name: &str) -> String {
        self.headers
            .get("set-cookie")
            .and_then(|c| c.lines().find(|l| l.starts_with(&format!("{name}="))))
            .unwrap_or("")
            .to_string()
    }
    /// The value of the hidden input `name` in the page's first form that has one.
    pub fn hidden(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let at = self
            .body
            .find(&marker)
            .unwrap_or_else(|| panic!("no {name} in {}", self.body))
            + marker.len();
        self.body[at..].split('"').next().unwrap().to_string()
    }
}

/// A browser without JavaScript: keeps no cookies on its own, follows no redirects.
pub struct Browser {
    base: String,
    http: reqwest::Client,
    pub rt: tokio::runtime::Runtime,
    pub cookies: Vec<(String, String)>,
}

impl Browser {
    pub fn new(server: &Server) -> Browser {
        Browser::from_address(server, "127.0.0.1")
    }

    /// A browser whose connections come from `address` (any of 127.0.0.0/8 on loopback): one
    /// of several machines, as the centre sees them.
    pub fn from_address(server: &Server, address: &str) -> Browser {
        Browser {
            base: server.url(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .local_address(address.parse::<std::net::IpAddr>().unwrap())
                .build()
                .unwrap(),
            rt: rt(),
            cookies: Vec::new(),
        }
    }

    pub fn on(&self, server: &Server) -> Browser {
        Browser {
            base: server.url(),
            http: self.http.clone(),
            rt: rt(),
            cookies: self.cookies.clone(),
        }
    }

    pub fn send(&mut self, req: reqwest::RequestBuilder) -> Reply {
        let cookie: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let req = if cookie.is_empty() {
            req
        } else {
            req.header("cookie", cookie.join("; "))
        };
        let reply = self.rt.block_on(async {
            let resp = req.send().await.unwrap();
            let status = resp.status().as_u16();
            let mut headers: HashMap<String, String> = HashMap::new();
            for (k, v) in resp.headers() {
                let v = v.to_str().unwrap_or("").to_string();
                headers
                    .entry(k.as_str().to_string())
                    .and_modify(|e| {
                        e.push('\n');
                        e.push_str(&v);
                    })
                    .or_insert(v);
            }
            Reply {
                status,
                headers,
                body: resp.text().await.unwrap(),
            }
        });
        if let Some(set) = reply.headers.get("set-cookie") {
            for line in set.lines() {
                let pair = line.split(';').next().unwrap();
                let (k, v) = pair.split_once('=').unwrap();
                self.cookies.retain(|(name, _)| name != k);
                if !v.is_empty() {
                    self.cookies.push((k.to_string(), v.to_string()));
                }
            }
        }
        reply
    }

    pub fn get(&mut self, path: &str) -> Reply {
        let req = self.http.get(format!("{}{path}", self.base));
        self.send(req)
    }

    pub fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Reply {
        let req = self.http.post(format!("{}{path}", self.base)).form(form);
        self.send(req)
    }

    /// `path`'s status, headers (lower-case names) and raw bytes, with this browser's cookies.
    pub fn bytes(&mut self, path: &str) -> (u16, HashMap<String, String>, Vec<u8>) {
        let cookie: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let req = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", cookie.join("; "));
        self.rt.block_on(async {
            let resp = req.send().await.unwrap();
            let status = resp.status().as_u16();
            let headers = resp
                .headers()
                .iter()
                .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
                .collect();
            (status, headers, resp.bytes().await.unwrap().to_vec())
        })
    }

    pub fn login(&mut self, name: &str, password: &str) -> Reply {
        let page = self.get("/login");
        assert_eq!(page.status, 200);
        let csrf = page.hidden("csrf");
        self.post(
            "/login",
            &[("csrf", &csrf), ("name", name), ("password", password), ("next", "/")],
        )
    }
}

pub fn add_user(server: &Server, name: &str, role: Role, facility: Option<&str>, department: Option<&str>) {
    add_account(server, name, role, facility, department, false);
}

/// A facility's leader (director): approves and publishes feedback replies.
pub fn add_leader(server: &Server, name: &str, facility: &str) {
    add_account(server, name, Role::Facility, Some(facility), None, true);
}

fn add_account(
    server: &Server,
    name: &str,
    role: Role,
    facility: Option<&str>,
    department: Option<&str>,
    leader: bool,
) {
    server
        .centre
        .accounts
        .add_user(
            &NewUser {
                name: name.into(),
                role,
                facility: facility.map(Into::into),
                department: department.map(Into::into),
                leader,
            },
            &hash_password(PASSWORD).unwrap(),
        )
        .unwrap();
}

pub const BA_VI: &str = "Trung tâm Y tế huyện Ba Vì";
pub const MY_DUC: &str = "Trung tâm Y tế huyện Mỹ Đức";

/// A centre whose clock reads [`now`] (and moves only when a test moves it).
pub fn start_at_now(store: Arc<dyn Backend>) -> Server {
    let mut centre = hailong::centre::Centre::new(
        store,
        Arc::new(hailong::survey::Catalog::built_in()),
        hailong::survey::ScoringOptions::default(),
    );
    centre.clock = hailong::centre::Clock::fixed(now());
    Server::start_centre(centre, hailong::centre::Timeouts::default())
}

/// A centre with two facilities' kiosks synced, and one account of each role; its clock reads
/// [`now`].
pub fn centre_with_data(dir: &Path, store: Arc<dyn Backend>) -> Server {
    let server = start_at_now(store);
    kiosk(
        &dir.join("bavi"),
        &server,
        BA_VI,
        150,
        &["Khoa Khám bệnh", "Khoa Nhi"],
        1,
        |i, r| {
            if i == 3 {
                r.answers.insert("H2".into(), Answer::Text(HOSTILE.into()));
            }
        },
    );
    // Mỹ Đức: a big department and one with 6 responses.
    kiosk(&dir.join("myduc"), &server, MY_DUC, 120, &["Khoa Nội"], 2, |_, _| {});
    kiosk(&dir.join("myduc2"), &server, MY_DUC, 6, &["Khoa Đông y"], 3, |_, _| {});
    add_user(&server, "so-y-te", Role::Province, None, None);
    add_user(&server, "quantri", Role::Admin, None, None);
    add_user(&server, "bavi", Role::Facility, Some(BA_VI), None);
    add_user(&server, "bavi-nhi", Role::Department, Some(BA_VI), Some("Khoa Nhi"));
    server
}

pub fn on_every_backend(case: fn(&Path, Server)) {
    let dir = tempfile::tempdir().unwrap();
    for (name, store) in server::backends(dir.path()) {
        eprintln!("backend: {name}");
        let sub = dir.path().join(name);
        std::fs::create_dir_all(&sub).unwrap();
        case(&sub, centre_with_data(&sub, store));
    }
}

/// The report API's answer for `facility` (and `department`) this quarter.
pub fn api_report(server: &Server, facility: &str, department: Option<&str>) -> serde_json::Value {
    let mut query = vec![("facility", facility)];
    if let Some(d) = department {
        query.push(("department", d));
    }
    api_report_with(server, &query)
}

/// The report API's answer for `query`, this quarter.
#[allow(dead_code)]
pub fn api_report_with(server: &Server, query: &[(&str, &str)]) -> serde_json::Value {
    let token = centre::new_token();
    server
        .centre
        .store
        .add_read_token("test", &centre::token_hash(&token))
        .unwrap();
    let period =
        hailong::report::period::Period::quarter_of(today(), hailong::report::period::Calendar::default()).label;
    let mut query = query.to_vec();
    query.push(("period", &period));
    rt().block_on(async {
        reqwest::Client::new()
            .get(format!("{}/api/v1/report", server.url()))
            .bearer_auth(&token)
            .query(&query)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    })
}

/// The satisfaction rate of `facility` this quarter, from the report API, as the pages print it.
pub fn api_rate(server: &Server, facility: &str) -> String {
    let token = centre::new_token();
    server
        .centre
        .store
        .add_read_token("test", &centre::token_hash(&token))
        .unwrap();
    let period =
        hailong::report::period::Period::quarter_of(today(), hailong::report::period::Calendar::default()).label;
    let report: serde_json::Value = rt().block_on(async {
        reqwest::Client::new()
            .get(format!("{}/api/v1/report", server.url()))
            .bearer_auth(&token)
            .query(&[("facility", facility), ("period", &period)])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    let pct = report["satisfied_pct"].as_f64().unwrap_or_else(|| panic!("{report}"));
    format!("{pct:.1} %").replace('.', ",")
}

/// A kiosk of `facility` with `n` responses synced: its token and its own id.
pub fn synced_kiosk(dir: &std::path::Path, server: &Server, facility: &str, n: usize) -> (String, String) {
    let store = kiosk_store(dir, n, &["Khoa Khám bệnh"], 5, |_, r| {
        r.channel = Some(hailong::survey::Channel::Kiosk);
        r.point = Some("Quầy tiếp đón".into());
    });
    let token = server.enrol(facility);
    let target = Target {
        url: server.url(),
        token: token.clone(),
        ca_cert: None,
    };
    let http = client::http_client(&target).unwrap();
    rt().block_on(client::sync_once(&store, &http, &target)).unwrap();
    let kiosk_id = store.lock().unwrap().kiosk_id().to_string();
    (token, kiosk_id)
}
