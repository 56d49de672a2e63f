#!/bin/sh
# A git pre-commit hook: refuses a commit whose added lines hold personal data
# (e-mail, phone, IBAN, BSN, ..., special-category terms). Removed lines never
# count, so a commit that takes personal data out passes. docs/pre-commit.md.
#
# Install in a repository:
#   cp scripts/pre-commit-hook.sh .git/hooks/pre-commit && chmod +x .git/hooks/pre-commit
# A checked false positive, once: git commit --no-verify
# Another dpo binary: DPO=/path/to/dpo git commit ...
"${DPO:-dpo}" detect --staged
status=$?
case $status in
  0) exit 0 ;;
  1)
    echo "pre-commit: the lines above hold personal data (values masked); remove them," >&2
    echo "pre-commit: or commit with --no-verify if you checked that they are not" >&2
    exit 1
    ;;
  *)
    echo "pre-commit: dpo detect could not check this commit (exit $status); see the error above" >&2
    exit "$status"
    ;;
esac
