"""The Overview page's words when no chair is open yet: what the app is and how to start."""

HOME_TEXT = """<h3>No chair yet</h3>
<p>Decision support only: check every rate against the prescription before setting the pump.</p>
<ol>
<li><b>New infusion (Ctrl+N)</b>: patient, chair, prescription, flags, the pre-infusion checklist and baseline
vitals; the plan preview shows every rate and how it was worked out.</li>
<li>In the chair: set the pump to the rate shown in large type and <b>confirm (Ctrl+Enter)</b>.
Whatever is due on any chair shows in the strip at the top, with its chair, until it is done;
<b>F8</b> silences the chair in front for a few minutes.</li>
<li>Report symptoms; the proposed action is confirmed or overridden with a reason.</li>
<li>After the end: the 60-minute observation, end vitals, the summary.</li>
</ol>
<p><b>Training (Ctrl+T)</b>: a simulated patient on a fast clock, with a debrief.
<b>Help &gt; Shortcuts (F1)</b> lists every key. This Overview (Ctrl+0) shows every chair as a tile;
the arrow keys move between them and Enter opens one.</p>"""
