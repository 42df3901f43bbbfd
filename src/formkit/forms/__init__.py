"""The forms: what each annex shows (template contexts) and the forms around them: the
活动小结, the notice packet, the schedule, publicity copies.
"""
