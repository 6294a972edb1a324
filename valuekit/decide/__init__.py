"""From evidence to decisions: the value playbook (a graded lever or nothing), the what-if
scenario engine, and the null-survey test of the playbook.

Imports only the stages below it.
"""
