//! Shared helpers of the commands that drive the clients from recorded
//! scenarios: how each service's operations are run by name with JSON inputs
//! (`hague`, `firmadoc`), and the scenario folder format of `fixtures/`
//! (`fixture`, format 1 of `docs/fixtures.md`). `test-contract` replays
//! scenarios with them and `record` writes new ones; neither command imports
//! the other.

pub(crate) mod firmadoc;
pub(crate) mod fixture;
pub(crate) mod hague;
