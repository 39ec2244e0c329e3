//! Integration tests of firmadoc-model (one binary, several modules).

mod codes;
mod guide_examples;
mod json;
mod lengths;
mod received;
mod rules;
mod secrets;
mod webhook;
