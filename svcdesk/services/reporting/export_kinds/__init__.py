"""Export kinds: each module registers one `ExportKind` with `services.exports.register_kind`
(found automatically). Columns are SQL expressions labelled with their file column name."""
