//! Scenarios compiled into the binary, with the price files they refer to.

/// One embedded scenario: its TOML text and the data files its `path` keys name, by the
/// relative path written in the TOML.
pub(crate) struct Embedded {
    pub(crate) name: &'static str,
    pub(crate) toml: &'static str,
    pub(crate) files: &'static [(&'static str, &'static str)],
}

pub(crate) const EMBEDDED: &[Embedded] = &[
    Embedded {
        name: "aave-v3-core-rseth-2026-04",
        toml: include_str!("../../../scenarios/aave-v3-core-rseth-2026-04.toml"),
        files: &[(
            "data/eth_usd_2026-04.csv",
            include_str!("../../../scenarios/data/eth_usd_2026-04.csv"),
        )],
    },
    Embedded {
        name: "aave-v3-core-weth-spike-2026-02",
        toml: include_str!("../../../scenarios/aave-v3-core-weth-spike-2026-02.toml"),
        files: &[(
            "data/eth_usd_2026-02.csv",
            include_str!("../../../scenarios/data/eth_usd_2026-02.csv"),
        )],
    },
];

/// Normalises a relative path for lookup: `./a//b` → `a/b`, backslashes as slashes.
pub(crate) fn normalise(rel: &str) -> String {
    rel.replace('\\', "/")
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect::<Vec<_>>()
        .join("/")
}

pub(crate) fn find(name: &str) -> Option<&'static Embedded> {
    EMBEDDED.iter().find(|e| e.name == name)
}
