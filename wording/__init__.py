"""Words shared by the bots and the panel in English, Russian and Persian: gettext catalogs
with plural forms, durations, weekdays and the core's refusals worded by code. Imports no
framework and nothing of chatdesk, so every adapter can use it."""
