//! The saved searches' pages: the "Save this search" form the search page shows, and
//! `/my/searches`.

pub mod save_form;
pub mod saved;
