"""Unit tests of the frozen grader (harness/grader.py): answer extraction, normalisation and matching."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))

from grader import exact_value, extract_answer, grade, is_equivalent, last_boxed, normalize  # noqa: E402


def answered(body: str) -> str:
    return f" Let me think. </think> <answer> {body} </answer>"


class LastBoxed(unittest.TestCase):
    def test_nested_braces(self):
        self.assertEqual(last_boxed(r"so \boxed{\frac{1}{2}} done"), r"\frac{1}{2}")

    def test_last_of_several(self):
        self.assertEqual(last_boxed(r"\boxed{1} then \boxed{2}"), "2")

    def test_fbox_and_space_form(self):
        self.assertEqual(last_boxed(r"\fbox{7}"), "7")
        self.assertEqual(last_boxed(r"\boxed 5$"), "5")

    def test_absent_or_unbalanced(self):
        self.assertIsNone(last_boxed("no box here"))
        self.assertIsNone(last_boxed(r"\boxed{1"))


class ExtractAnswer(unittest.TestCase):
    def test_boxed_inside_answer(self):
        self.assertEqual(extract_answer(answered(r"\boxed{42}"), "math"), "42")

    def test_plain_answer(self):
        self.assertEqual(extract_answer(answered("x = 3"), "math"), "x = 3")

    def test_uses_last_answer_block(self):
        response = "a </think> <answer>1</answer> <answer>2</answer>"
        self.assertEqual(extract_answer(response, "math"), "2")

    def test_needs_think_close_then_answer_tags(self):
        self.assertIsNone(extract_answer(r"<answer>\boxed{4}</answer>", "math"))
        self.assertIsNone(extract_answer(r"</think> \boxed{4}", "math"))
        self.assertIsNone(extract_answer("</think> <answer> 4", "math"))
        self.assertIsNone(extract_answer("<answer>4</answer> </think>", "math"))
        self.assertIsNone(extract_answer("</think> <answer>  </answer>", "math"))

    def test_arithmetic_takes_the_whole_response(self):
        self.assertEqual(extract_answer(" 12 ", "arithmetic"), "12")
        self.assertEqual(extract_answer("-3", "arithmetic"), "-3")
        self.assertIsNone(extract_answer("1+2", "arithmetic"))
        self.assertIsNone(extract_answer("", "arithmetic"))


class Normalize(unittest.TestCase):
    def test_fractions(self):
        self.assertEqual(normalize(r"\dfrac{3}{4}"), r"\frac{3}{4}")
        self.assertEqual(normalize(r"\tfrac12"), r"\frac{1}{2}")
        self.assertEqual(normalize("3/4"), r"\frac{3}{4}")
        self.assertEqual(normalize("-3/4"), r"-\frac{3}{4}")

    def test_latex_noise(self):
        self.assertEqual(normalize(r"\left( 1, 2 \right)"), "(1,2)")
        self.assertEqual(normalize(r"90^\circ"), "90")
        self.assertEqual(normalize(r"50\%"), "50")
        self.assertEqual(normalize(r"\$5.00"), "5")
        self.assertEqual(normalize(r"\sqrt2"), r"\sqrt{2}")
        self.assertEqual(normalize(r"2\!\sqrt{3}"), r"2\sqrt{3}")

    def test_units_and_text(self):
        self.assertEqual(normalize(r"5 \text{ cm}"), "5")
        self.assertEqual(normalize(r"12\mbox{ inches}^2"), "12")
        self.assertEqual(normalize(r"\text{(B)}"), "(B)")
        self.assertEqual(normalize(r"\textbf{odd}"), "odd")

    def test_numbers(self):
        self.assertEqual(normalize("1,000"), "1000")
        self.assertEqual(normalize(".5"), "0.5")
        self.assertEqual(normalize("7."), "7")
        self.assertEqual(normalize("x = 5"), "5")
        self.assertEqual(normalize("y=2x+1"), "2x+1")
        self.assertEqual(normalize("a+b=c"), "a+b=c")

    def test_exact_value(self):
        self.assertEqual(exact_value(r"\frac{1}{2}"), exact_value("0.5"))
        self.assertEqual(exact_value(r"-\frac{6}{4}"), exact_value("-1.5"))
        self.assertIsNone(exact_value(r"\frac{1}{0}"))
        self.assertIsNone(exact_value(r"\sqrt{2}"))


class Equivalence(unittest.TestCase):
    def test_equal_forms(self):
        pairs = [
            (r"\frac{1}{2}", "0.5"),
            (r"\dfrac{2}{4}", r"\frac12"),
            ("1/2", r"\frac{1}{2}"),
            ("10", "10.00"),
            (r"\left(3, -1\right)", "(3,-1)"),
            (r"x = \frac{\pi}{4}", r"\frac{\pi}{4}"),
            ("1,234", "1234"),
            (r"30^{\circ}", "30"),
        ]
        for predicted, reference in pairs:
            with self.subTest(predicted=predicted, reference=reference):
                self.assertTrue(is_equivalent(predicted, reference))

    def test_different_answers(self):
        pairs = [("0.33", r"\frac{1}{3}"), ("2", "-2"), (r"\sqrt{2}", r"\sqrt{3}"), ("(1,2)", "(2,1)"), ("12", "1,2")]
        for predicted, reference in pairs:
            with self.subTest(predicted=predicted, reference=reference):
                self.assertFalse(is_equivalent(predicted, reference))


class Grade(unittest.TestCase):
    def test_math(self):
        self.assertEqual(grade(answered(r"\boxed{\dfrac{1}{2}}"), "1/2", "math")["correct"], True)
        wrong = grade(answered(r"\boxed{3}"), "4", "math")
        self.assertEqual((wrong["formatted"], wrong["correct"], wrong["answer"]), (True, False, "3"))
        unformatted = grade(r"The answer is \boxed{4}", "4", "math")
        self.assertEqual((unformatted["formatted"], unformatted["correct"]), (False, False))

    def test_arithmetic(self):
        self.assertTrue(grade("8", "8", "arithmetic")["correct"])
        self.assertFalse(grade("80", "8", "arithmetic")["correct"])
        self.assertFalse(grade("8+", "8", "arithmetic")["formatted"])


if __name__ == "__main__":
    unittest.main()
