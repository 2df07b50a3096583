# Input parsing (issue 15, item 4): numbers, parse errors.
case_eps_decimal_comma() { cli train --eps 0,1 $DATA_SMALL --out "$W/run"; expect_exit 2; expect_error 1006; expect_err_has "decimal point"; expect_no_file "$W/run/results.json"; }
check "train --eps 0,1 is refused (not read as ε = 1)" case_eps_decimal_comma
case_eps_group_separator() { cli verify --net FC-SMALL --eps 1,000; expect_exit 2; expect_error 1006; }
check "verify --eps 1,000 is refused (not read as 1000)" case_eps_group_separator
case_unknown_flag() { cli train --epoch 3; expect_exit 2; expect_error 1006; expect_err_has "--help"; }
check "train --epoch (unknown flag): one line, exit 2" case_unknown_flag
case_unknown_command() { cli trian; expect_exit 2; expect_error 1006; }
check "certify trian (unknown command): one line, exit 2" case_unknown_command
case_missing_value() { cli verify --eps; expect_exit 2; expect_error 1006; }
check "verify --eps without a value: one line, exit 2" case_missing_value
case_not_a_number() { cli train --epochs ten; expect_exit 2; expect_error 1006; }
check "train --epochs ten: one line, exit 2" case_not_a_number
