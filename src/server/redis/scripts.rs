//! The Lua scripts in `lua/`, compiled into the binary and run with EVALSHA.
//!
//! Each script is declared beside its typed wrapper, in the feature that owns it
//! (`pub static PLACE_BID: LazyLock<Script> = lua_script!("place_bid");` in
//! `auction::server::bids`), and loaded with `lua/prelude.lua` in front of it (the Redis clock
//! in milliseconds, `emit`, which records and broadcasts a live event inside the write, the
//! stats log and the category rankings). `redis::Script` sends `EVALSHA` and, when Redis
//! answers `NOSCRIPT` (after a restart or a `SCRIPT FLUSH`), loads the source and retries, so
//! callers never see that error.

use redis::Script;

const PRELUDE: &str = include_str!("../../../lua/prelude.lua");

/// `lua/<name>.lua` with the prelude in front (see [`lua_script!`](crate::lua_script)).
pub fn with_prelude(source: &str) -> Script {
    Script::new(&format!("{PRELUDE}\n{source}"))
}

/// [`with_prelude`] for a script made of others ([`lua_script!`](crate::lua_script)'s second
/// form), declared with a `#!lua` line (no flags): Redis then refuses the whole step at its
/// start when memory is full. Without it Redis checks memory at a script's first write only,
/// and a first part whose first write frees memory (the rate limit's trim) would let the next
/// part write past `maxmemory`.
pub fn whole_step(source: &str) -> Script {
    Script::new(&format!("#!lua\n{PRELUDE}\n{source}"))
}

/// A script of `lua/` by name, loaded once, on first use:
/// `static PLACE_BID: LazyLock<Script> = lua_script!("place_bid");`.
#[macro_export]
macro_rules! lua_script {
    ($name:literal) => {
        std::sync::LazyLock::new(|| {
            $crate::server::redis::scripts::with_prelude(include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/lua/",
                $name,
                ".lua"
            )))
        })
    };
    // A script made of others: each part's body (`lua/<part>.lua`) becomes a local function
    // with that signature, ahead of `lua/<name>.lua`, which calls them (one step where the
    // keys' slots allow it: see `lua/bid_as.lua`).
    ($name:literal, $($part:literal as $signature:literal),+ $(,)?) => {
        std::sync::LazyLock::new(|| {
            let mut source = String::new();
            $(
                source.push_str(&format!(
                    "local function {}\n{}\nend\n",
                    $signature,
                    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/lua/", $part, ".lua"))
                ));
            )+
            source.push_str(include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/lua/",
                $name,
                ".lua"
            )));
            $crate::server::redis::scripts::whole_step(&source)
        })
    };
}

#[cfg(test)]
mod tests {
    /// Every file of `lua/` but the prelude is a script some wrapper declares (a script
    /// nobody runs, or a wrapper whose file was renamed, fails here or at compile time).
    #[test]
    fn every_script_of_lua_has_its_wrapper() {
        let src = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut declared = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(src)];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs")
                    // This file's examples declare nothing.
                    && !path.ends_with("server/redis/scripts.rs")
                {
                    let text = std::fs::read_to_string(&path).unwrap();
                    for part in text.split("lua_script!(").skip(1) {
                        // The script's name, and the parts a composed script is made of.
                        let call = part.split(')').next().unwrap();
                        for name in call.split('"').skip(1).step_by(2) {
                            declared.push(name.to_string());
                        }
                    }
                }
            }
        }
        let lua = concat!(env!("CARGO_MANIFEST_DIR"), "/lua");
        for entry in std::fs::read_dir(lua).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            let name = name.trim_end_matches(".lua");
            if name != "prelude" {
                assert!(
                    declared.iter().any(|d| d == name),
                    "lua/{name}.lua has no wrapper"
                );
            }
        }
    }
}
