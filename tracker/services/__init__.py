"""Operations that change data. Views and the CLI call these, then commit once."""
