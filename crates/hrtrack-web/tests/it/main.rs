//! Tests of the web crate, driving the router in process (no sockets): `support` builds the
//! stores and the requests, `api` covers the endpoints and bad input, `document` the OpenAPI
//! document, its snapshot, its routes and the API page, `pages` the HTML pages in three
//! languages, `server` the real server on a socket, `search` full-text `q` through the
//! index, `many_servers` two applications over one database, `roadmap_api` the Roadmap's API with
//! its authorization matrix, `roadmap_pages` the Roadmap's forms and the walk-through, `sdg_pages`
//! the public SDG data pages, downloads and data API, `sdg_workflow` the SDG data collection
//! from provider to public, `accounts` sign-in throttling, token revocation and password rules; `writes` what updates keep.

mod accounts;
mod api;
mod document;
mod many_servers;
mod pages;
mod roadmap_api;
mod roadmap_pages;
mod sdg_pages;
mod sdg_workflow;
mod search;
mod server;
mod support;
mod writes;
