"""``python -m formkit.fake OUT --workers N --units U``: write a folder of fictional records."""

from formkit.fake import main

raise SystemExit(main())
