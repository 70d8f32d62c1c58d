"""Landing pages: takes the URLs in an account's rows (and an earlier upload's), gives URL
drift, keyword–page mismatches and conversion drops by page (``analysis``), what each
page says when fetched (``audit``) and the page-by-page findings the pages show
(``report``).
"""
