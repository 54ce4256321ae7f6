//! The frame every page shares: language, title, the stylesheet (served by the centre itself:
//! no third-party requests), the navigation for a logged-in reader, and a skip link.

use maud::{DOCTYPE, Markup, html};

use super::Viewer;
use crate::i18n::tr;
use crate::survey::Locale;

/// A whole page around `content`.
pub fn page(locale: Locale, title: &str, viewer: Option<&Viewer>, content: Markup) -> Markup {
    frame(locale, title, viewer, content, false)
}

/// A page without navigation or footer (the public page's embeddable variant).
pub fn bare(locale: Locale, title: &str, content: Markup) -> Markup {
    frame(locale, title, None, content, true)
}

fn frame(locale: Locale, title: &str, viewer: Option<&Viewer>, content: Markup, bare: bool) -> Markup {
    let other = match locale {
        Locale::Vi => Locale::En,
        Locale::En => Locale::Vi,
    };
    html! {
        (DOCTYPE)
        html lang=(locale.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · hailong" }
                link rel="stylesheet" href="/assets/hailong.css";
            }
            body class=(if bare { "bare" } else { "" }) {
                @if !bare {
                    a.skip href="#main" { (tr(locale, id!("web-skip"))) }
                    header.top {
                        a.brand href="/" { "hailong" }
                        nav aria-label=(tr(locale, id!("web-nav"))) {
                            @if let Some(v) = viewer {
                                a href=(super::home_of(&v.user)) { (tr(locale, id!("web-nav-overview"))) }
                                a href="/feedback" { (tr(locale, id!("web-nav-feedback"))) }
                                @if v.user.role == crate::centre::accounts::Role::Admin {
                                    a href="/admin" { (tr(locale, id!("web-nav-admin"))) }
                                }
                                a href="/account/password" { (tr(locale, id!("web-nav-password"))) }
                                span.who { (v.user.name) }
                                form.inline method="post" action="/logout" {
                                    input type="hidden" name="csrf" value=(v.csrf);
                                    button.link type="submit" { (tr(locale, id!("web-nav-logout"))) }
                                }
                            }
                            a href={ "/lang/" (other.tag()) } lang=(other.tag()) { (tr(other, id!("web-language-name"))) }
                        }
                    }
                }
                main #main { (content) }
                @if !bare {
                    footer { p { (tr(locale, id!("web-footer"))) } }
                }
            }
        }
    }
}
